"""TeX to MathML (ramverk/render/maths.py): primes beside their base, function names followed by
function application (with a thin space before an argument that is not bracketed), and \\text{}
content escaped, never published as markup."""

from __future__ import annotations

from ramverk.pages import sanitise
from ramverk.render import maths as math_hook

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


def test_arithmatex_markup_renders_to_mathml_that_the_sanitiser_accepts():
    html = ('<p><span class="arithmatex">\\(f\'(x) = \\cos x\\)</span> and '
            '<span class="arithmatex">\\(\\text{&lt;svg/onload=alert(1)&gt;}\\)</span></p>')
    out = math_hook.render_math(html, "topic/page.en.md")
    assert "arithmatex" not in out and "<svg" not in out
    assert sanitise.clean(out) == out


def test_bad_tex_names_its_page():
    try:
        math_hook.render_math('<span class="arithmatex">\\(x^\\)</span>', "topic/page.en.md")
    except math_hook.MathError as error:
        assert str(error).startswith("topic/page.en.md: cannot render math")
    else:
        raise AssertionError("bad TeX rendered")
