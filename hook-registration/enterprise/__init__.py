"""Stand-in for the `enterprise` folder of LiteLLM's Docker image.

LiteLLM's proxy looks up its enterprise hooks with
`from enterprise.enterprise_hooks import ENTERPRISE_PROXY_HOOKS`. That top-level
package exists only inside LiteLLM's Docker image (/app/enterprise); no wheel ships
it, so a pip-installed proxy never registers the `managed_files` hook. This
package is put on the build's path by a .pth file and provides just that mapping.
"""
