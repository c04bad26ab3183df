"""TeX to MathML (hooks/math_to_mathml.py): primes beside their base, function names followed by
function application (with a thin space before an argument that is not bracketed), and \\text{}
content escaped, never published as markup."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ramverk import sanitise

HOOK = Path(__file__).resolve().parents[1] / "scripts" / "ramverk" / "hooks" / "math_to_mathml.py"
_spec = importlib.util.spec_from_file_location("math_to_mathml_under_test", HOOK)
math_hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(math_hook)

APPLY = "\u2061"


def test_a_prime_sits_beside_its_base_not_in_a_superscript():
    out = math_hook.tex_to_mathml("f'(x)")
    assert "<msup>" not in out
    assert '<mi>f</mi><mo lspace="0em" rspace="0em">\u2032</mo><mo stretchy="false">(</mo>' in out
    assert math_hook.tex_to_mathml(r"f^\prime(x)") == out


def test_double_prime_and_a_primed_base_with_an_exponent():
    assert '<mi>f</mi><mo lspace="0em" rspace="0em">\u2033</mo>' in math_hook.tex_to_mathml("f''(x)")
    squared = math_hook.tex_to_mathml("g'^2")
    assert ('<msup><mrow><mi>g</mi><mo lspace="0em" rspace="0em">\u2032</mo></mrow><mrow><mn>2</mn></mrow></msup>'
            in squared)


def test_cos_x_keeps_its_space_and_cos_of_a_bracket_does_not_get_one():
    spaced = math_hook.tex_to_mathml(r"\cos x")
    assert f'<mi>cos</mi><mo lspace="0em" rspace="0.1667em">{APPLY}</mo><mi>x</mi>' in spaced
    bracketed = math_hook.tex_to_mathml(r"\sin(x)")
    assert f'<mi>sin</mi><mo lspace="0em" rspace="0em">{APPLY}</mo><mo stretchy="false">(</mo>' in bracketed


def test_a_subscripted_function_gets_function_application_after_the_whole_script():
    out = math_hook.tex_to_mathml(r"\log_2 x")
    assert f'<msub><mi>log</mi><mn>2</mn></msub><mo lspace="0em" rspace="0.1667em">{APPLY}</mo><mi>x</mi>' in out


def test_operatorname_is_a_function_and_a_plain_variable_is_not():
    assert APPLY in math_hook.tex_to_mathml(r"\operatorname{relu}(x)")
    assert APPLY not in math_hook.tex_to_mathml(r"a x + b")


def test_text_content_is_escaped_not_published_as_html():
    out = math_hook.tex_to_mathml(r"\text{<svg/onload=alert(1)> & <b>x</b>}")
    assert "<svg" not in out and "<b>" not in out
    # latex2mathml turns the spaces of \\text into no-break spaces
    assert "<mtext>&lt;svg/onload=alert(1)&gt;\xa0&amp;\xa0&lt;b&gt;x&lt;/b&gt;</mtext>" in out
    assert sanitise.findings(out) == []


def test_the_hook_renders_arithmatex_markup_that_the_sanitiser_accepts():
    class Page:
        class file:  # noqa: N801 - stands in for mkdocs' File
            src_uri = "topic/page.en.md"

    html = ('<p><span class="arithmatex">\\(f\'(x) = \\cos x\\)</span> and '
            '<span class="arithmatex">\\(\\text{&lt;svg/onload=alert(1)&gt;}\\)</span></p>')
    out = math_hook.on_page_content(html, Page, None, None)
    assert "arithmatex" not in out and "<svg" not in out
    assert sanitise.clean(out) == out
