"""Error shapes: authentication, api-version, unknown routes, bad bodies. Never a `detail` wrapper."""

from __future__ import annotations

import openai
import pytest

AZURE_ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. "
    "Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    "for your resource."
)
API_VERSION = {"api-version": "2025-03-01-preview"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer sk-wrong-key-1234"}, {"api-key": "sk-mock-openai-key"}]
)
def test_openai_routes_answer_401_invalid_api_key(http, headers):
    response = http.get("/v1/files", headers=headers)

    assert response.status_code == 401
    error = response.json()["error"]
    assert set(response.json()) == {"error"}
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, "invalid_api_key")
    assert "sk-wrong-key-1234" not in error["message"]  # the key is masked


def test_openai_sdk_raises_authentication_error(base_url):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as error:
        client.files.list()
    assert error.value.body["code"] == "invalid_api_key"
    assert error.value.body["message"].startswith("Incorrect API key provided")


@pytest.mark.parametrize("headers", [{}, {"api-key": "wrong"}, {"Authorization": "Bearer wrong"}])
def test_azure_routes_answer_401_with_azure_wording(http, headers):
    for path in ("/openai/files", "/openai/v1/files"):
        response = http.get(path, params=API_VERSION, headers=headers)

        assert response.status_code == 401, path
        assert response.json() == {"error": {"code": "401", "message": AZURE_ACCESS_DENIED}}


def test_azure_routes_take_api_key_or_bearer(http):
    assert http.get("/openai/files", params=API_VERSION, headers={"api-key": "mock-azure-key"}).status_code == 200
    bearer = {"Authorization": "Bearer mock-azure-key"}
    assert http.get("/openai/files", params=API_VERSION, headers=bearer).status_code == 200


def test_classic_azure_routes_require_api_version(http):
    headers = {"api-key": "mock-azure-key"}

    response = http.get("/openai/files", headers=headers)

    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"
    assert "api-version" in response.json()["error"]["message"]
    # The newer /openai/v1 surface does not need it.
    assert http.get("/openai/v1/files", headers=headers).status_code == 200


def test_unknown_routes_are_404_in_each_style(http):
    openai_style = http.get("/v1/no-such-thing", headers={"Authorization": "Bearer sk-mock-openai-key"})
    assert openai_style.status_code == 404
    assert openai_style.json()["error"]["message"] == "Invalid URL (GET /v1/no-such-thing)"

    azure_style = http.get("/openai/no-such-thing", params=API_VERSION, headers={"api-key": "mock-azure-key"})
    assert azure_style.status_code == 404
    assert azure_style.json() == {"error": {"code": "404", "message": "Resource not found"}}

    wrong_method = http.put("/v1/files", headers={"Authorization": "Bearer sk-mock-openai-key"})
    assert wrong_method.status_code == 405
    assert set(wrong_method.json()) == {"error"}


def test_unparseable_json_is_a_400(http):
    response = http.post(
        "/v1/batches",
        headers={"Authorization": "Bearer sk-mock-openai-key", "Content-Type": "application/json"},
        content=b"{oops",
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "detail" not in response.json()
