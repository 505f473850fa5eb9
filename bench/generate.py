"""Generate a synthetic uv project: a uv.lock written the way uv writes it, and a .venv.

Each package has a registry source, an sdist and three wheels with hashes, and 0-4
dependencies on later packages (a DAG rooted at the project). The .venv holds a
dist-info per package, with a few drifts so both tools have something to report:
one missing, one extraneous, one at the wrong version.

    python bench/generate.py DIR N
"""

from __future__ import annotations

import base64
import hashlib
import random
import sys
from pathlib import Path

REGISTRY = "https://index.example/simple"
FILES = "https://files.example/packages"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def generate(root: Path, count: int, seed: int = 0) -> Path:
    """Write project ``root`` with ``count`` locked packages; returns ``root``."""
    rng = random.Random(seed)
    names = [f"pkg-{i:05d}" for i in range(count)]
    versions = {n: f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}" for n in names}
    deps = {
        n: sorted(
            rng.sample(names[i + 1 : i + 60], min(rng.randint(0, 4), len(names[i + 1 : i + 60])))
        )
        for i, n in enumerate(names)
    }
    root.mkdir(parents=True, exist_ok=True)
    # The project depends on the first tenth, and on every package nothing else reaches.
    reached = {d for ds in deps.values() for d in ds}
    direct = [n for i, n in enumerate(names) if i < max(1, count // 10) or n not in reached]
    requires = ",\n".join(f'    "{n}"' for n in direct)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "bench"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [\n{requires},\n]\n\n[tool.uv]\npackage = false\n"
    )
    out = ["version = 1", "revision = 3", 'requires-python = ">=3.10"', ""]
    out += ["[[package]]", 'name = "bench"', 'version = "0.1.0"', 'source = { virtual = "." }']
    out += ["dependencies = ["] + [f'    {{ name = "{n}" }},' for n in direct] + ["]", ""]
    out += ["[package.metadata]", "requires-dist = ["]
    out += [f'    {{ name = "{n}" }},' for n in direct] + ["]", ""]
    for n in names:
        v = versions[n]
        u = n.replace("-", "_")
        out += [
            "[[package]]",
            f'name = "{n}"',
            f'version = "{v}"',
            f'source = {{ registry = "{REGISTRY}" }}',
        ]
        if deps[n]:
            out += ["dependencies = ["] + [f'    {{ name = "{d}" }},' for d in deps[n]] + ["]"]
        sd = f"{FILES}/{_hash(n)[:2]}/{_hash(n)[2:4]}/{_hash(n)}/{u}-{v}.tar.gz"
        out.append(
            f'sdist = {{ url = "{sd}", hash = "sha256:{_hash(sd)}", size = {rng.randint(10**4, 10**6)}, '
            'upload-time = "2025-01-01T00:00:00.000Z" }'
        )
        out.append("wheels = [")
        for tag in ("py3-none-any", "cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-win_amd64"):
            wh = f"{FILES}/{_hash(n + tag)[:2]}/{_hash(n + tag)}/{u}-{v}-{tag}.whl"
            out.append(
                f'    {{ url = "{wh}", hash = "sha256:{_hash(wh)}", size = {rng.randint(10**4, 10**6)}, '
                'upload-time = "2025-01-01T00:00:00.000Z" },'
            )
        out += ["]", ""]
    (root / "uv.lock").write_text("\n".join(out))

    venv = root / ".venv"
    # A real interpreter behind bin/python: uv runs it to accept the venv.
    base = Path(sys._base_executable if hasattr(sys, "_base_executable") else sys.executable)
    major_minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    site = venv / "lib" / f"python{major_minor}" / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    (venv / "bin").mkdir(exist_ok=True)
    for exe in ("python", "python3", f"python{major_minor}"):
        if not (venv / "bin" / exe).exists():
            (venv / "bin" / exe).symlink_to(base)
    version = ".".join(map(str, sys.version_info[:3]))
    (venv / "pyvenv.cfg").write_text(
        f"home = {base.parent}\nimplementation = CPython\nuv = 0.13.9\nversion_info = {version}\n"
        "include-system-site-packages = false\n"
    )
    installed = dict(versions)
    del installed[names[-1]]  # missing
    installed[names[len(names) // 2]] = "99.0.0"  # wrong version
    installed["stray-package"] = "1.0.0"  # extraneous
    for n, v in installed.items():
        module = n.replace("-", "_")
        info = site / f"{module}-{v}.dist-info"
        files = {
            f"{info.name}/METADATA": f"Metadata-Version: 2.1\nName: {n}\nVersion: {v}\n",
            f"{info.name}/INSTALLER": "uv\n",
            # A package of two modules, ~6 KB, so that --verify-files has files to hash.
            f"{module}/__init__.py": f'"""{n} {v}"""\n' + "VALUE = 1\n" * 100,
            f"{module}/core.py": "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(200)),
        }
        record = []
        for rel, text in files.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
            record.append(f"{rel},sha256={digest.rstrip(b'=').decode()},{len(text.encode())}")
        record.append(f"{info.name}/RECORD,,")
        (info / "RECORD").write_text("\n".join(record) + "\n")
    return root


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
