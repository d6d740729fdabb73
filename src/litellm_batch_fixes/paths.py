"""Where the project's pieces live. Nix installs them elsewhere and says so by environment."""

import os
from pathlib import Path

ROOT = Path(os.environ.get("LITELLM_BATCH_FIXES_ROOT") or Path(__file__).resolve().parents[2])
PATCHES_DIR = ROOT / "patches"
REQUIREMENTS_DIR = ROOT / "requirements"
HOOK_REGISTRATION_DIR = ROOT / "hook-registration"
DEFAULT_CONFIG = ROOT / "litellm-config.yaml"
VENVS_DIR = Path(os.environ.get("LITELLM_BATCH_FIXES_VENVS") or ROOT / ".venv")
DEFAULT_STATE_DIR = Path(".state")
