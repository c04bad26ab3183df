"""TeX to MathML at build time (no MathJax or KaTeX from a CDN), for pages and notebooks.

latex2mathml builds an element tree; `tex_to_mathml` fixes three things in it before writing it out:

* Primes. latex2mathml makes f' a superscript whose script is the prime character, and a prime is
  already a raised glyph, so it floated high above f. The prime is put right after its base
  instead, as an operator without spacing: f′ (f'' f‴ and f'^2 the same way).
* Function names. `\\cos x` came out as "cosx". A function name (\\sin, \\cos, \\log, ... and
  \\operatorname{...}) is followed by U+2061 FUNCTION APPLICATION, as MathML asks, with TeX's thin
  space after it unless an opening bracket follows.
* Text. latex2mathml unescapes its whole output, so `\\text{<b>}` became live HTML. Each text node
  is unescaped on its own (latex2mathml stores its symbols as character references) and the tree
  is then serialised, which escapes <, > and & in text.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element, tostring

from latex2mathml.converter import convert_to_element

# pymdownx.arithmatex in generic mode wraps TeX in these two forms.
INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.S)

PRIMES = {"\u2032", "\u2033", "\u2034", "\u2057"}  # ′ ″ ‴ ⁗
FUNCTIONS = {
    "arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "dim", "exp", "gcd",
    "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min", "Pr", "sec", "sin", "sinh",
    "sup", "tan", "tanh",
}
SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
OPENING = {"(", "[", "{", "|", "\u2016", "\u27e8", "\u230a", "\u2308"}
THIN_SPACE = "0.1667em"


def _unescape_text(tree: Element) -> None:
    for node in tree.iter():
        if node.text:
            node.text = html.unescape(node.text)
        if node.tail:
            node.tail = html.unescape(node.tail)


def _is_prime(node: Element) -> bool:
    return node.tag in {"mi", "mo"} and (node.text or "") != "" and set(node.text) <= PRIMES


def _prime_operator(text: str) -> Element:
    mo = Element("mo", {"lspace": "0em", "rspace": "0em"})
    mo.text = text
    return mo


def _fix_primes(parent: Element) -> None:
    """<msup>base ′</msup> -> base <mo>′</mo>; <msup>base <mrow>′ x</mrow></msup> -> <msup>base′ x</msup>."""
    for child in list(parent):
        _fix_primes(child)
    for index, child in enumerate(list(parent)):
        if child.tag != "msup" or len(child) != 2:
            continue
        base, script = child
        if _is_prime(script):
            position = list(parent).index(child)
            parent.remove(child)
            base.tail = None
            parent.insert(position, base)
            parent.insert(position + 1, _prime_operator(script.text))
        elif script.tag == "mrow" and len(script) > 1 and _is_prime(script[0]):
            prime = script[0]  # f'^2: the prime joins the base, the rest stays the superscript
            script.remove(prime)
            row = Element("mrow")
            child.remove(base)
            row.append(base)
            row.append(_prime_operator(prime.text))
            child.insert(0, row)


def _function_name(node: Element) -> bool:
    if node.tag in SCRIPTED and len(node):
        return _function_name(node[0])
    text = (node.text or "").strip()
    if node.tag == "mi":
        return text in FUNCTIONS
    return node.tag == "mo" and len(text) > 1 and text.isalpha()  # \operatorname{relu}


def _apply_functions(parent: Element) -> None:
    """Insert U+2061 after each function name that is followed by its argument."""
    for child in list(parent):
        _apply_functions(child)
    if parent.tag in SCRIPTED:  # base and scripts: nothing goes between them
        return
    children = list(parent)
    for index in range(len(children) - 1, -1, -1):
        node = children[index]
        if not _function_name(node) or index + 1 >= len(children):
            continue
        following = children[index + 1]
        if following.tag == "mo" and following.text == "\u2061":
            continue
        bracket = following.tag == "mo" and (following.text or "").strip() in OPENING
        apply = Element("mo", {"lspace": "0em", "rspace": "0em" if bracket else THIN_SPACE})
        apply.text = "\u2061"
        parent.insert(index + 1, apply)


def tex_to_mathml(tex: str, display: str = "inline") -> str:
    """MathML for TeX (already HTML-unescaped); raises latex2mathml's errors on bad TeX."""
    tree = convert_to_element(tex, display=display)
    _unescape_text(tree)
    _fix_primes(tree)
    _apply_functions(tree)
    return tostring(tree, encoding="unicode")


class MathError(ValueError):
    """TeX that latex2mathml cannot render, with the page it is on."""


def render_math(html_text: str, where: str) -> str:
    """Replace arithmatex's inline and block TeX spans in `html_text` with MathML."""

    def replace(display: str):
        def one(m: re.Match) -> str:
            tex = html.unescape(m["tex"]).strip()
            try:
                return tex_to_mathml(tex, display)
            except Exception as error:  # latex2mathml raises several types; all mean bad TeX
                raise MathError(f"{where}: cannot render math {tex!r}: {error}") from error

        return one

    return INLINE.sub(replace("inline"), BLOCK.sub(replace("block"), html_text))
