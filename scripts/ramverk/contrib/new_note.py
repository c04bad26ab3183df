"""A new note, ready to fill: the sv/en page pair, a measured snippet skeleton and the nav entry.

Everything it writes passes `check` and the strict build as it stands, so a contributor starts
from green and replaces the placeholders one at a time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ramverk.contract import frameworks as framework_table
from ramverk.contract import page_text as catalogue
from ramverk.contrib import nav
from ramverk.pages import sanitise

NAME = re.compile(r"^(?P<topic>[a-z0-9][a-z0-9-]*)/(?P<name>[a-z0-9][a-z0-9-]*)$")


@dataclass(frozen=True)
class Template:
    """A framework's starting code; its name, modes and documentation link come from ramverk.contract.frameworks."""

    section: str  # the displayed code, a self-contained block
    build: str  # the branch of build() for this framework


TEMPLATES = {
    "torch": Template(
        '''import torch


def step_torch(x):
    """One step of the computation. Replace it with yours."""
    return torch.tanh(x @ x).sum()


x = torch.ones(4, 4) / 4
print(f"PyTorch: {step_torch(x).item():.4f}")''',
        '''    if framework == "torch":
        import torch

        x = torch.from_numpy(x_np).to(device)
        fn = torch.compile(step_torch) if mode == "compile" else step_torch
        return lambda: fn(x)''',
    ),
    "tensorflow": Template(
        '''import tensorflow as tf


def step_tf(x):
    """One step of the computation. Replace it with yours."""
    return tf.reduce_sum(tf.tanh(x @ x))


x = tf.ones((4, 4)) / 4
print(f"TensorFlow: {float(step_tf(x)):.4f}")''',
        '''    if framework == "tensorflow":
        import tensorflow as tf

        with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
            x = tf.constant(x_np)
        fn = tf.function(step_tf) if mode == "function" else step_tf
        return lambda: fn(x)''',
    ),
    "jax": Template(
        '''import jax.numpy as jnp


def step_jax(x):
    """One step of the computation. Replace it with yours."""
    return jnp.tanh(x @ x).sum()


x = jnp.ones((4, 4)) / 4
print(f"JAX: {float(step_jax(x)):.4f}")''',
        '''    if framework == "jax":
        import jax

        x = jax.device_put(x_np, jax.devices(device)[0])
        fn = jax.jit(step_jax) if mode == "jit" else step_jax
        return lambda: fn(x)''',
    ),
}
FRAMEWORKS = {key: framework_table.get(key) for key in TEMPLATES}  # those new-note can start


def page_text(lang: str, title: str, snippet: str, frameworks: list[str]) -> str:
    def t(key: str, **values) -> str:  # the words are in the site's catalogue, contract/page_text.py
        return catalogue.t(lang, f"new_note_{key}", **values)

    tabs = "\n".join(
        f'=== "{FRAMEWORKS[fw].name}"\n\n    ```python\n    --8<-- "{snippet}:{fw}"\n    ```\n' for fw in frameworks
    )
    links = "\n".join(f"- [{FRAMEWORKS[fw].docs[0]}]({FRAMEWORKS[fw].docs[1]})" for fw in frameworks)
    return f"""# {title}

{t("intro")}

## {t("code")}

{t("code_text", snippet=snippet)}

{tabs}
## {t("speed")}

<!-- timing: {snippet} -->

{t("speed_text")}

## {t("try")}

{t("try_text")}

??? success "{t("solution")}"

    ```python
    --8<-- "{snippet}:solution"
    ```

## {t("docs")}

{links}
"""


def snippet_text(title: str, snippet: str, frameworks: list[str]) -> str:
    modes = ",\n".join(f'        "{fw}": {json.dumps(list(FRAMEWORKS[fw].modes))}' for fw in frameworks)
    sections = "\n\n".join(
        f"# --8<-- [start:{fw}]\n{TEMPLATES[fw].section}\n# --8<-- [end:{fw}]" for fw in frameworks
    )
    builds = "\n".join(TEMPLATES[fw].build for fw in frameworks)
    return f'''"""{title}: one sentence on what this snippet shows.

Run it: .venv/bin/python {snippet}
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {{
    "frameworks": {json.dumps(list(frameworks))},
    "modes": {{
{modes},
    }},
    "sizes": {{"quick": {{"n": 8}}, "full": {{"n": 256}}}},
    "baseline": "eager",
}}

{sections}

# --8<-- [start:solution]
import numpy as np

x = np.ones((4, 4)) / 4
print(f"NumPy, for comparison: {{np.tanh(x @ x).sum():.4f}}")
# --8<-- [end:solution]


def build(framework, mode, device, n):
    """One step on n×n inputs, for the runner: returns a callable that returns the result."""
    x_np = np.random.default_rng(0).standard_normal((n, n)).astype("float32") / n
{builds}
    raise ValueError(f"unknown framework {{framework!r}}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    for framework in runnable(BENCHMARK["frameworks"]):
        step = build(framework, BENCHMARK["modes"][framework][0], "cpu", **size)
        print(f"{{framework}}, n={{size['n']}}: {{float(np.asarray(step())):.4f}}")
'''


def create(root: Path, spec: str, title_sv: str | None = None, title_en: str | None = None,
           section_sv: str | None = None, section_en: str | None = None,
           frameworks: list[str] | None = None, force: bool = False) -> list[str]:
    m = NAME.match(spec)
    if not m:
        raise ValueError(f"{spec!r}: write TOPIC/NAME in lower case, e.g. execution/tf-function")
    topic, name = m["topic"], m["name"]
    frameworks = frameworks or ["torch", "jax"]
    unknown = [fw for fw in frameworks if fw not in FRAMEWORKS]
    if unknown:
        raise ValueError(f"unknown framework(s) {', '.join(unknown)}; known: {', '.join(FRAMEWORKS)}")
    for option, given in (("--title-sv", title_sv), ("--title-en", title_en), ("--section-sv", section_sv),
                          ("--section-en", section_en)):
        problem = sanitise.plain_text_problem(given) if given else None
        if problem:  # it goes into the nav and the page's heading, which the theme prints as HTML
            raise ValueError(f"{option} {problem}")
    default_title = name.replace("-", " ").capitalize()
    title_en = title_en or default_title
    title_sv = title_sv or title_en
    section_en = section_en or topic.replace("-", " ").capitalize()
    section_sv = section_sv or section_en
    snippet = f"snippets/{topic}/{name.replace('-', '_')}.py"
    files = {
        root / "docs" / topic / f"{name}.sv.md": page_text("sv", title_sv, snippet, frameworks),
        root / "docs" / topic / f"{name}.en.md": page_text("en", title_en, snippet, frameworks),
        root / snippet: snippet_text(title_en, snippet, frameworks),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(p.relative_to(root).as_posix() for p in existing)
                              + " already exist(s); pick another name or pass --force")
    done = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        done.append(f"wrote {path.relative_to(root).as_posix()}")
    done += nav.add_page(root / "mkdocs.yml", topic, name, title_sv, title_en, section_sv, section_en)
    return done
