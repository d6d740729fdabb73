"""Register LiteLLM's managed files hook (shipped in the litellm-enterprise wheel)."""

from litellm_enterprise.proxy.hooks.managed_files import _PROXY_LiteLLMManagedFiles

ENTERPRISE_PROXY_HOOKS = {"managed_files": _PROXY_LiteLLMManagedFiles}
