"""The one venv of the scripts that use PyPI pysparkplug (sparkplug-fixtures.py, sparkplug-edge.py).

`ensure(script)` returns when pysparkplug VERSION is importable. Otherwise it creates the venv
.build/pysparkplug-venv (Debian's python3-venv, which scripts/install-deps installs) once, installs
REQUIREMENTS there from PyPI, and runs the script again with the venv's python, same arguments.
pysparkplug pins paho-mqtt<2, which conflicts with other tools' pins: hence a venv of its own.
"""

import os
import pathlib
import subprocess
import sys

VERSION = "0.6.1"
# pysparkplug and what it depends on, as they were when the committed fixtures were written.
REQUIREMENTS = [f"pysparkplug=={VERSION}", "paho-mqtt==1.6.1", "protobuf==7.36.2"]
ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".build" / "pysparkplug-venv"
_MARK = "PYSPARKPLUG_VENV_ACTIVE"


def installed_version():
    try:
        import pysparkplug

        return pysparkplug.__version__
    except ImportError:
        return None


def ensure(script):
    """Returns if pysparkplug VERSION is importable, else re-executes `script` inside VENV."""
    if installed_version() == VERSION:
        return
    name = pathlib.Path(script).stem
    if os.environ.get(_MARK):
        sys.exit(f"{name}: pysparkplug {VERSION} is still missing in {VENV}")
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"{name}: creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = [str(python), "-c", "import pysparkplug; print(pysparkplug.__version__)"]
    if subprocess.run(probe, capture_output=True, text=True).stdout.strip() != VERSION:
        print(f"{name}: installing {' '.join(REQUIREMENTS)} into {VENV}", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
    os.environ[_MARK] = "1"
    os.execv(str(python), [str(python), str(pathlib.Path(script).resolve()), *sys.argv[1:]])
