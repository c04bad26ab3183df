"""What a page may publish: HTML through an allowlist sanitiser (nh3, i.e. Ammonia on html5ever).

`clean(html)` is what the site publishes. `findings(html)` says what `clean` removed: the same
HTML is cleaned twice, once with the allowlist and once keeping every tag, attribute and URL
scheme the input names, and the two results (both html5ever's own serialisation) are compared.
So what a browser would parse (entities, multi-line tags, `<svg/onload>`) is what is judged.
`page_problems` turns findings into `file:line: message`, locating each in the page source.

Static SVG files are XML documents when opened directly, so `svg_problems` reads them with
expat, the way a browser does, and allows drawing elements only.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from xml.parsers import expat

import nh3
from pygments.token import STANDARD_TYPES

# What Python-Markdown, pymdownx and Material's Markdown produce (headings, tables, admonitions,
# details, tabs, highlighted code, footnotes, abbreviations, definition lists, images).
HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins",
    "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
# What latex2mathml emits (ramverk/render/maths.py); no annotation-xml, which can carry HTML.
MATHML_TAGS = {
    "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom", "mroot", "mrow", "ms", "mspace",
    "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
}
MATHML_ATTRS = {
    "accent", "accentunder", "align", "columnalign", "columnlines", "columnspacing", "columnspan", "depth",
    "displaystyle", "fence", "form", "frame", "height", "largeop", "linethickness", "lspace", "mathbackground",
    "mathcolor", "mathsize", "mathvariant", "maxsize", "minsize", "movablelimits", "notation", "rowalign",
    "rowlines", "rowspacing", "rowspan", "rspace", "scriptlevel", "separator", "stretchy", "symmetric", "voffset",
    "width",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "input": {"checked", "name"},  # pymdownx.tabbed's radio buttons; type is pinned below
    "label": {"for"},
    "details": {"open"},
    "ol": {"start", "type"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align"},
    "col": {"span"},
    "div": {"data-tabs"},  # pymdownx.tabbed
    "span": {"data-sort"},  # benchmarks_page.py, read by sortable-tables.js
    "h2": {"data-search-exclude"},  # Material search skips the section: the glossary's letter headings
    "math": {"xmlns", "display"},
    **{tag: MATHML_ATTRS for tag in MATHML_TAGS - {"math"}},
}
TAG_ATTRIBUTE_VALUES = {"input": {"type": {"radio"}}}
LINK_SCHEMES = {"http", "https", "mailto"}
# Python-Markdown's tables align columns with this style and nothing else.
ALIGN_STYLE = re.compile(r"\s*text-align:\s*(?:left|right|center|justify)\s*;?\s*")
# Ids and names that begin with "__" belong to the theme (__config, __search, ...); a page that
# reused one could replace the theme's own element. pymdownx's generated ones are allowed.
RESERVED_ID = re.compile(r"__(?!(?:tabbed_\d+(?:_\d+)?|codelineno-\d+-\d+|code_\d+|span-\d+-\d+)$)")
# The classes the site's Markdown produces, read from a real build of the site (every page's content
# as the sanitiser gets it) plus the rest of each extension's vocabulary: admonition and details types,
# footnotes, tabs, highlight's line numbers, Pygments' token classes, nbconvert's notebook classes.
# Anything else, the theme's md-* above all, would let a page pose as the site (a login dialog).
MARKDOWN_CLASSES = {
    "admonition", "admonition-title", "inline", "end", "note", "abstract", "summary", "tldr", "info", "todo",
    "tip", "hint", "important", "success", "check", "done", "question", "help", "faq", "warning", "caution",
    "attention", "failure", "fail", "missing", "danger", "error", "bug", "example", "quote", "cite",
    "footnote", "footnote-ref", "footnote-backref", "headerlink", "toclink", "arithmatex",
    "tabbed-set", "tabbed-alternate", "tabbed-labels", "tabbed-content", "tabbed-block",
    "highlight", "highlighttable", "linenos", "linenodiv", "normal", "special", "code", "filename", "hll",
    "jupyter-wrapper", "CodeMirror", "cm-s-jupyter", "anchor-link",
    *(name for name in STANDARD_TYPES.values() if name),
}
MARKDOWN_CLASS = re.compile(r"(?:ramverk|language|jp)-[\w-]+")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Attributes that make the browser fetch (or run) what they name.
RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "action", "formaction", "ping", "manifest",
                  "codebase", "archive", "longdesc", "cite", "xlink:href", "values", "from", "to", "by"}
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "file", "blob", "filesystem", "about"}
CSS_LOAD = re.compile(r"(?:url\(|@import\s+(?:url\()?|image-set\()\s*['\"]?([^'\")\s;]+)", re.I)


def _url(value: str) -> str:
    """A URL as the browser's URL parser sees it: spaces and controls around it, tabs and newlines inside, gone."""
    return re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                 "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")


def is_local(url: str) -> bool:
    """A relative URL on this site: no scheme, no //host, no backslash (browsers read \\ as /)."""
    url = _url(url)
    return not (SCHEME.match(url) or url.startswith("//") or "\\" in url)


def foreign_classes(value: str) -> list[str]:
    """The classes in a class attribute that the site's Markdown does not produce."""
    return [name for name in value.split() if name not in MARKDOWN_CLASSES and not MARKDOWN_CLASS.fullmatch(name)]


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in ("id", "name", "for") and RESERVED_ID.match(value):
        return None
    if attr == "class" and (foreign := foreign_classes(value)):
        return " ".join(name for name in value.split() if name not in foreign) or None
    if attr == "style":
        return value if ALIGN_STYLE.fullmatch(value) else None
    if tag == "img" and attr == "src" and not is_local(value):
        return None
    if tag == "a" and attr == "href" and ("\\" in value or _url(value).startswith("//")):
        return None
    return value


NAME_CHARS = re.compile(r"[^\s\"'<>/=`]+")  # what ends a tag or attribute name, and quotes


@lru_cache(maxsize=8)  # the publish hook cleans each page twice: to judge it, then to publish it
def clean(html: str) -> str:
    """The page content the site publishes: allowed tags and attributes only."""
    return nh3.clean(html, tags=HTML_TAGS | MATHML_TAGS, attributes=ATTRIBUTES,
                     tag_attribute_values=TAG_ATTRIBUTE_VALUES, url_schemes=LINK_SCHEMES,
                     attribute_filter=_attribute_filter)


def _keep_everything(html: str, link_rel: bool = False) -> str:
    """The same HTML through html5ever with every name the input uses allowed: the baseline for `findings`
    (and, with link_rel, every rel= as written, for published files).

    Tag and attribute names are read as written (html5ever decodes no character references in
    them), so every run of name characters of the raw HTML covers them; URLs are read decoded."""
    words = set(NAME_CHARS.findall(html))
    names = words | {w.lower() for w in words}
    url_text = re.sub(r"[\t\n\r]", "", html_lib.unescape(html))  # browsers drop these inside URLs
    schemes = {m.lower() for m in re.findall(r"(?<![a-zA-Z0-9+.-])([a-zA-Z][a-zA-Z0-9+.-]*):", url_text)}
    rel = {"link_rel": None} if link_rel else {}
    return nh3.clean(html, tags=names | HTML_TAGS | MATHML_TAGS | {"script", "style"}, clean_content_tags=set(),
                     attributes={"*": names if link_rel else names - {"rel"}},
                     url_schemes=schemes | LINK_SCHEMES | DANGEROUS_SCHEMES, **rel)


@dataclass(frozen=True)
class Finding:
    tag: str
    attr: str = ""  # empty: the whole element was removed
    value: str = ""  # the attribute's value, or the text inside a removed <style>/<script>

    def message(self) -> str:
        tag, attr, value = self.tag, self.attr, self.value
        if not attr:
            if tag == "script":
                return "raw <script>: pages carry no scripts; the site's own JavaScript lives in the theme"
            if tag == "style":
                loads = [u for m in CSS_LOAD.finditer(value) for u in m.groups() if u]
                also = f" (it loads {', '.join(map(repr, loads))})" if loads else ""
                return f"<style> is not allowed in a page{also}; styles live in docs/assets/stylesheets/ramverk.css"
            if tag == "svg":
                return ("inline <svg> is not allowed; put the picture in docs/assets/ and show it with"
                        " ![what it shows](file.svg)")
            return f"<{tag}> is not allowed in a page (the sanitiser removes it)"
        scheme = (SCHEME.match(_url(value)) or [None, ""])[1].lower()
        if attr.startswith("on"):
            return f"inline event handler {attr}= on <{tag}>: pages carry no scripts"
        if scheme in ("javascript", "vbscript"):
            return f"javascript: URL in <{tag} {attr}>: pages carry no scripts"
        if scheme == "data":
            return f"data: URL in <{tag} {attr}>: put the file in docs/ and link it relatively"
        if attr == "style":
            loads = [u for m in CSS_LOAD.finditer(value) for u in m.groups() if u]
            what = f"loads {', '.join(map(repr, loads))}" if loads else f"{value.strip()!r}"
            return f"style= on <{tag}> {what}: only text-align is allowed in a page"
        if attr in ("id", "name", "for") and RESERVED_ID.match(value):
            return f"{attr}={value!r} on <{tag}>: names that begin with __ belong to the theme"
        if attr == "class" and (foreign := foreign_classes(value)):
            return (f"class {' '.join(foreign)!r} on <{tag}> is not one the site's Markdown produces (theme classes"
                    " such as md-* would let a page pose as the site); use ramverk-* classes from ramverk.css")
        if tag == "a" and attr == "href":
            return f"link {value!r} has no scheme or names a //host; write the full https:// address"
        if attr in RESOURCE_ATTRS or (attr == "href" and tag != "a"):
            if not is_local(value):
                return f"<{tag} {attr}={value!r}> loads an external resource; put the file in docs/"
        return f"attribute {attr}= on <{tag}> is not allowed in a page (the sanitiser removes it)"


# html5ever's serialisation: attributes always double-quoted with " escaped, raw text only inside these.
SERIAL_TAG = re.compile(r'<([a-zA-Z][^\s/>]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')
SERIAL_ATTR = re.compile(r'([^\s=>]+)(?:="([^"]*)")?')
RAW_TEXT = re.compile(r"(<(script|style|xmp|iframe|noembed|noframes|noscript|textarea|title)\b[^>]*>)(.*?)(?=</\2>|$)",
                      re.S | re.I)


HIDDEN = re.compile(r"\x00(\d+)\x00")


def _start_tags(serialised: str) -> list[tuple[str, dict[str, str], str]]:
    """Start tags of nh3 output in order: (tag, attributes, raw text inside a <style>/<script>)."""
    texts = []

    def hide(m: re.Match) -> str:
        texts.append(m[3])
        return f"{m[1]}\x00{len(texts) - 1}\x00"

    plain = RAW_TEXT.sub(hide, serialised)
    out = []
    for m in SERIAL_TAG.finditer(plain):
        attrs = {a[1]: html_lib.unescape(a[2] or "") for a in SERIAL_ATTR.finditer(m[2])}
        inner = HIDDEN.match(plain, m.end())
        out.append((m[1].lower(), attrs, texts[int(inner[1])] if inner else ""))
    return out


def findings(html: str) -> list[Finding]:
    """Everything `clean` removes from html: elements, attributes, and attribute values it rewrote."""
    everything, kept = _keep_everything(html), clean(html)
    if everything == kept:
        return []
    everything, kept = _start_tags(everything), _start_tags(kept)
    out, j = [], 0
    for tag, attrs, text in everything:
        if j < len(kept) and kept[j][0] == tag:
            for attr, value in attrs.items():
                if attr == "rel" and tag == "a":
                    continue  # nh3 adds rel="noopener noreferrer" to every link
                if kept[j][1].get(attr) != value:
                    out.append(Finding(tag, attr, value))
            j += 1
        else:
            out.append(Finding(tag, "", text))
    return out


def _needles(finding: Finding) -> list[re.Pattern]:
    """Patterns that find a finding in the page source, most specific first."""
    out = []
    if finding.attr and len(finding.value.strip()) >= 3:
        out.append(re.compile(re.escape(finding.value.strip()[:40]), re.I))
    if finding.attr:
        out.append(re.compile(rf"(?<![\w-]){re.escape(finding.attr)}\s*=", re.I))
    out.append(re.compile(rf"<\s*{re.escape(finding.tag)}(?![\w-])", re.I))
    return out


def locate(lines: list[str], finding: Finding, after: dict) -> int:
    """1-based line of a finding in lines (entities decoded), or 1. `after` remembers earlier hits, so a
    repeated finding moves on to the next occurrence."""
    decoded = [html_lib.unescape(line) for line in lines]
    for needle in _needles(finding):
        hits = [i for i, line in enumerate(decoded) if needle.search(line) or needle.search(lines[i])]
        if hits:
            start = after.get(needle.pattern, -1)
            index = next((i for i in hits if i > start), hits[0])
            after[needle.pattern] = index
            return index + 1
    return 1


def page_problems(rel: str, source: str, html: str) -> list[str]:
    """`rel:line: message` for everything the sanitiser would remove from a page's rendered html.

    source is the page file's text; findings are located in it after includes are expanded, and a
    finding inside an included file is reported at the include's line, naming the file."""
    found = findings(html)
    if not found:
        return []
    from ramverk.pages import page_source

    expanded = page_source.expand(source, lenient=True).split("\n")
    out, after = [], {}
    for finding in found:
        lineno, included = page_source.source_line(source, locate(expanded, finding, after))
        via = f" (in {included}, included here)" if included else ""
        out.append(f"{rel}:{lineno}: {finding.message()}{via}")
    return list(dict.fromkeys(out))


def meta_problems(rel: str, meta: dict, source: str) -> list[str]:
    """Front matter is shown by the theme unescaped (title, description): plain text only, and no
    `template` (it would change the page around the content)."""
    out = []
    lines = source.split("\n")

    def where(key: str) -> int:
        return next((i for i, line in enumerate(lines, 1) if re.match(rf"\s*-?\s*{re.escape(str(key))}\s*:", line)), 1)

    def walk(key, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k, v)
        elif isinstance(value, list):
            for v in value:
                walk(key, v)
        elif isinstance(value, str) and MARKUP_CHARS.search(fully_decoded(value)):
            out.append(f"{rel}:{where(key)}: front matter {key}: {value!r} holds markup (< > \" `); the theme"
                       " shows it as HTML: write plain text")

    for key, value in (meta or {}).items():
        if key == "template":
            out.append(f"{rel}:{where(key)}: front matter template: pages use the site's template")
        walk(key, value)
    return out


# --- static SVG files -------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# matplotlib writes RDF metadata; those elements are never rendered or run.
METADATA_NS = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/",
               "http://creativecommons.org/ns#"}
SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "metadata", "style", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "use", "clipPath", "mask", "pattern", "symbol", "marker",
    "linearGradient", "radialGradient", "stop",
}
CSS_DANGER = re.compile(r"url\(\s*['\"]?(?!#)|@import|@font-face|image-set|\\|expression\(", re.I)


def svg_problems(rel: str, text: str) -> list[str]:
    """`rel:line: message` for anything in an SVG file beyond drawing: scripts, handlers, links,
    outside loads, foreign elements, entity declarations."""
    out, in_style = [], []
    parser = expat.ParserCreate(namespace_separator=" ")

    def report(message: str) -> None:
        out.append(f"{rel}:{parser.CurrentLineNumber}: {message}")

    def start(name, attrs):
        ns, _, local = name.rpartition(" ")
        in_style.append(local == "style")
        if ns in METADATA_NS:
            return
        if ns != SVG_NS or local not in SVG_ELEMENTS:
            report(f"<{local}> ({ns or 'no namespace'}) is not allowed in an SVG file: drawing elements only")
        for key, value in attrs.items():
            key_ns, _, key_local = key.rpartition(" ")
            if key_local.lower().startswith("on"):
                report(f"event handler {key_local}= in an SVG file: pictures carry no scripts")
            elif key_local == "href" and not value.strip().startswith("#"):
                report(f"{key_local}={value!r} in an SVG file: only links inside the file (#id) are allowed")
            elif key_ns not in ("", XLINK_NS, "http://www.w3.org/XML/1998/namespace") and key_ns not in METADATA_NS:
                report(f"attribute {key_local}= ({key_ns}) is not allowed in an SVG file")
            elif CSS_DANGER.search(value):
                report(f"{key_local}={value!r} in an SVG file loads or hides something; only url(#id) is allowed")

    def data(chunk):
        if in_style and in_style[-1] and CSS_DANGER.search(chunk):
            report(f"CSS {chunk.strip()[:60]!r} in an SVG file loads or hides something; only url(#id) is allowed")

    def doctype(_name, _sysid, _pubid, has_internal_subset):
        if has_internal_subset:
            report("DOCTYPE with an internal subset (entity declarations) is not allowed in an SVG file")

    def processing_instruction(target, _data):
        report(f"processing instruction <?{target} ...?> is not allowed in an SVG file")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: in_style.pop()
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = doctype
    parser.ProcessingInstructionHandler = processing_instruction
    parser.EntityDeclHandler = lambda *a: report("entity declaration in an SVG file")
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        out.append(f"{rel}:{error.lineno}: not well-formed XML: {expat.ErrorString(error.code)}")
    return list(dict.fromkeys(out))


# --- files under docs/ and snippets/ ----------------------------------------------------------

# Files a browser opens as a document that can run script; under docs/ they would be published as is.
ACTIVE_DOCUMENTS = {".html", ".htm", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".shtml", ".mht", ".mhtml", ".svgz"}


def static_file_problems(root) -> list[str]:
    """Symbolic links anywhere in docs/ or snippets/, active documents and notebooks in docs/, and SVG
    files that fail svg_problems. (Pages themselves go through the page sanitiser.)"""
    import os
    from pathlib import Path

    root = Path(root)
    out = []
    for top in ("docs", "snippets"):
        for folder, dirs, files in os.walk(root / top):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                rel = path.relative_to(root).as_posix()
                if path.is_symlink():
                    out.append(f"{rel}:1: symbolic link (to {os.readlink(path)}); commit the file itself")
                elif top == "docs" and path.suffix.lower() in ACTIVE_DOCUMENTS:
                    out.append(f"{rel}:1: {path.suffix} files are not published (a browser runs what they contain);"
                               " write a page pair or use a picture")
                elif top == "docs" and path.suffix.lower() == ".ipynb":
                    out.append(f"{rel}:1: .ipynb files are not published from docs/ (a browser reads the JSON as a page);"
                               " the site makes each page's notebooks from its snippets")
                elif top == "docs" and path.suffix.lower() == ".svg":
                    out.extend(svg_problems(rel, path.read_text(encoding="utf-8", errors="replace")))
            dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    return out


# --- strings that reach a page outside its content: titles, configuration -----------------------

MARKUP_CHARS = re.compile(r"[<>\"`]")
TAG_START = re.compile(r"<[a-zA-Z/!?]")  # where the HTML tokenizer starts a tag, a comment or a declaration


def fully_decoded(text: str) -> str:
    """text with character references decoded until nothing changes: what the theme's filters
    (striptags decodes once more), notebooks and later readers may end up printing."""
    for _ in range(10):
        decoded = html_lib.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def plain_text_problem(value: str) -> str | None:
    """Why a string the theme prints as HTML (a nav title, a site string, a new note's title) is not
    plain text, or None: it may hold no character references and, decoded, no < > " or `."""
    decoded = fully_decoded(value)
    if decoded != value:
        return f"{value!r} holds HTML character references (it reads {decoded!r}): write the characters themselves"
    if MARKUP_CHARS.search(value):
        return f"{value!r} holds markup (< > \" `); the theme prints it as HTML: write plain text"
    return None


def heading_problems(rel: str, source: str) -> list[str]:
    """Headings whose text, its character references decoded as often as they decode, starts a tag:
    the first heading is the page's and its notebooks' <title> (the theme's striptags decodes it once
    more), and headings become notebook cells, which carry them as Markdown, i.e. as HTML."""
    from ramverk.pages import scanner

    out = []
    for heading in scanner.scan(source).headings:
        decoded = fully_decoded(heading.text)
        if TAG_START.search(decoded):
            out.append(f"{rel}:{heading.line}: heading {heading.text!r} is markup once its character references are"
                       f" decoded ({decoded!r}); it becomes page and notebook titles: write it as plain text")
    return out


def config_problems(config) -> list[str]:
    """`mkdocs.yml:line: ...` for every string of mkdocs.yml (nav titles and their translations,
    site_name, copyright, extra ...) that is not plain text; the Markdown extensions' options are code."""
    out = []
    for keys, value, line in config.strings(skip=("markdown_extensions",)):
        problem = plain_text_problem(value)
        if problem:
            out.append(f"mkdocs.yml:{line}: {'.'.join(map(str, keys)) or 'key'}: {problem}")
    return out


# --- published HTML files: the last step of the build ---------------------------------------------

# Elements that run, frame or redirect whatever the attributes say; <script> is judged on its own.
DOCUMENT_REFUSED = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "noembed",
                    "template", "fencedframe"}
URL_ATTRS = RESOURCE_ATTRS | {"href", "formaction", "action"}
LOADING_LINKS = re.compile(r"\b(?:stylesheet|preload|prefetch|modulepreload|icon|manifest|import|dns-prefetch"
                           r"|preconnect|prerender)\b", re.I)
DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.I)  # the project's own charts
DOCUMENT_TAGS = re.compile(r"<(html|head|body)(?=[\s/>])", re.I)
THEME_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)


@lru_cache(maxsize=None)
def theme_inline_scripts() -> tuple[re.Pattern, ...]:
    """The theme's inline scripts (Material's templates, partials/javascripts/), each its template's text
    exactly, a {{ ... }} in it (a base URL) standing for a relative or site path."""
    import material

    from pathlib import Path

    out = []
    for path in sorted((Path(material.__file__).parent / "templates").rglob("*.html")):
        if path.name == "redirect.html":  # the redirects plugin's template: the site has none
            continue
        for m in re.finditer(r"<script>(.*?)</script>", path.read_text(encoding="utf-8"), re.S):
            parts = THEME_EXPRESSION.split(m[1])
            out.append(re.compile(r"[\w./-]*".join(map(re.escape, parts))))
    return tuple(out)


def theme_script_sources(extra_javascript) -> set[str]:
    """Site paths of the scripts the theme may load: its bundle (as its base.html names it) and mkdocs.yml's
    extra_javascript."""
    import material

    from pathlib import Path

    base = (Path(material.__file__).parent / "templates" / "base.html").read_text(encoding="utf-8")
    return set(re.findall(r"'(assets/javascripts/bundle\.[0-9a-f]+\.min\.js)'", base)) | {
        str(getattr(script, "path", script)) for script in extra_javascript}


def _site_path(url: str, page_dir: str, site_prefix: str) -> str | None:
    """The site path a local URL of a file in page_dir names, or None when it leaves the site."""
    import posixpath

    url = _url(url).split("#", 1)[0].split("?", 1)[0]
    if not is_local(url):
        return None
    joined = url[len(site_prefix):] if url.startswith("/") and url.startswith(site_prefix) else (
        None if url.startswith("/") else posixpath.join(page_dir, url))
    if joined is None:
        return None
    path = posixpath.normpath(joined)
    return None if path.startswith("../") or path == ".." else path


# The fast screen: a document none of these match, once the theme's own scripts and links are taken out,
# holds none of what document_problems looks for (each is a superset of a finding: case folded, any
# tag context, entities decoded generously); one that matches any is parsed (html5ever) and judged.
THEME_SCRIPT_TAG = re.compile(r'<script src="([^"<>]*)"></script>|<script id="__config" type="application/json">'
                              r'([^<]*)</script>|<script>(.*?)</script>', re.S)
THEME_LINK_TAG = re.compile(r'<link rel="([\w -]+)" href="([^"<>]*)"(?: hreflang="[\w-]+")?>')
SCREEN_WORDS = ("<script", "<style", "<iframe", "<frame", "<object", "<embed", "<applet", "<base", "<portal",
                "<noembed", "<template", "<fencedframe", "<link", "<use", "<image", "<feimage", "http-equiv", "srcdoc",
                "url(", "@import", "image-set", "javascript:", "vbscript:")
# Another scheme counts only where a URL value can start: after = (an attribute), ; (SVG's values=, a
# refresh) or , (srcset), then quotes, spaces and controls, which the URL parser strips.
SCREEN_SCHEME = re.compile(r"[=;,][\s\"'\x00-\x20]*(data|file|blob|about|filesystem):")
SCREEN_HANDLER = re.compile(r"on[a-z]+\s*=")  # every event handler's name is on + ASCII letters
SCREEN_RESOURCES = [(name, re.compile(rf"{name}\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*)")) for name in
                    ("src", "srcset", "poster", "data", "background", "codebase", "archive", "manifest", "ping", "action",
                     "formaction")]
ATTRIBUTE_BEFORE = set(" \t\n\r\x0c/\"'\x01")  # what may come before an attribute's name in a tag
COMMON_ENTITIES = re.compile(r"&(?:lt|gt|amp|quot|#39|nbsp);")  # decode to nothing a URL scheme is made of


def _screen(document: str, scripts: set[str], page_dir: str, site_prefix: str) -> bool:
    """False when document certainly holds nothing document_problems refuses: none of its signs is in
    the text once the theme's own scripts and links are taken out (lower-cased, entities decoded, tabs
    and newlines gone: each sign is a superset of a finding)."""
    def theme_script(m: re.Match) -> str:
        if m[1] is not None:
            ok = _site_path(m[1], page_dir, site_prefix) in scripts
        elif m[2] is not None:
            try:
                json.loads(m[2])
                ok = True
            except ValueError:
                ok = False
        else:
            ok = any(p.fullmatch(m[3]) for p in theme_inline_scripts())
        return "\x01" if ok else m[0]

    def theme_link(m: re.Match) -> str:
        return "\x01" if is_local(m[2]) or not LOADING_LINKS.search(m[1]) else m[0]

    rest = THEME_LINK_TAG.sub(theme_link, THEME_SCRIPT_TAG.sub(theme_script, document)).lower()
    rest = COMMON_ENTITIES.sub("\x02", rest)
    if "&" in rest:
        rest = html_lib.unescape(rest).lower()
    rest = rest.replace("\t", "").replace("\n", " ").replace("\r", "")
    if any(word in rest for word in SCREEN_WORDS):
        return True
    if any(m.start() and rest[m.start() - 1] in ATTRIBUTE_BEFORE for m in SCREEN_HANDLER.finditer(rest)):
        return True
    if any(not DATA_IMAGE.match(rest, m.start(1)) for m in SCREEN_SCHEME.finditer(rest)):
        return True
    for name, pattern in SCREEN_RESOURCES:
        for m in pattern.finditer(rest):
            value = m[1].strip("\"'")
            if m.start() and rest[m.start() - 1] in ATTRIBUTE_BEFORE and (
                    not (is_local(value) or DATA_IMAGE.match(_url(value))) or (name == "srcset" and "," in value)):
                return True
    return False


def document_problems(rel: str, document: str, scripts: set[str], site_prefix: str = "/") -> list[str]:
    """`rel: message` for what a published HTML file must not hold anywhere (title, navigation, header,
    footer, content): scripts other than the theme's own, event handlers, javascript:/data: URLs, frames,
    <base>, meta refresh, loads from another host. rel is the file's path in the site; scripts the site
    paths of the scripts the theme loads (theme_script_sources)."""
    import posixpath

    page_dir = posixpath.dirname(rel)
    if not _screen(document, scripts, page_dir, site_prefix):
        return []
    parsed = _start_tags(_keep_everything(DOCUMENT_TAGS.sub(r"<ramverk-\1", document), link_rel=True))
    out = []
    for tag, attrs, text in parsed:
        tag = tag.removeprefix("ramverk-")
        if tag == "script":
            if set(attrs) == {"src"} and _site_path(attrs["src"], page_dir, site_prefix) in scripts:
                continue
            if attrs == {"id": "__config", "type": "application/json"}:
                try:
                    json.loads(text)
                    continue
                except ValueError:
                    pass
            if not attrs and any(p.fullmatch(text) for p in theme_inline_scripts()):
                continue
            what = f"src={attrs['src']!r}" if "src" in attrs else repr(text.strip()[:60])
            out.append(f"{rel}: <script> that is not the theme's own ({what})")
            continue
        if tag in DOCUMENT_REFUSED:
            out.append(f"{rel}: <{tag}> is not allowed in a published page")
        if tag == "meta" and "http-equiv" in attrs:
            out.append(f"{rel}: <meta http-equiv={attrs['http-equiv']!r}> (a refresh or policy) in a published page")
        if tag == "style" and any(not is_local(u) for m in CSS_LOAD.finditer(text) for u in m.groups() if u):
            out.append(f"{rel}: <style> loads from another host")
        for attr, value in attrs.items():
            name = attr.rpartition(":")[2].lower()
            scheme = (SCHEME.match(_url(value)) or [None, ""])[1].lower()
            if name.startswith("on"):
                out.append(f"{rel}: event handler {attr}= on <{tag}>")
            elif name == "srcdoc":
                out.append(f"{rel}: srcdoc= on <{tag}>")
            elif name in ("values", "from", "to", "by") and any(
                    (SCHEME.match(_url(v)) or [None, ""])[1].lower() in DANGEROUS_SCHEMES for v in value.split(";")):
                out.append(f"{rel}: {attr}={value[:60]!r} on <{tag}> animates a URL to a script")
            elif name in URL_ATTRS and scheme in DANGEROUS_SCHEMES and not DATA_IMAGE.match(_url(value)):
                out.append(f"{rel}: {scheme}: URL in <{tag} {attr}>")
            elif ((name in RESOURCE_ATTRS - {"cite", "longdesc"} and tag != "a")
                  or (tag == "link" and name == "href" and LOADING_LINKS.search(attrs.get("rel", "")))) \
                    and not is_local(value) and scheme != "data":
                out.append(f"{rel}: <{tag} {attr}={value[:80]!r}> loads from another host")
            elif name == "style" and any(not is_local(u) for m in CSS_LOAD.finditer(value) for u in m.groups() if u):
                out.append(f"{rel}: style= on <{tag}> loads from another host")
    return list(dict.fromkeys(out))
