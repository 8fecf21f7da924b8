r"""Text normalisation applied before tokenising, the same in training and in scoring.

The encoder's vocabulary (uncased English WordPiece) has no emoji: before this step "😡😡😡" and
"😍👍" were unknown tokens and scored neutral. :func:`normalize_text` turns

- emoji into their CLDR names in words (``😡`` -> ``enraged face``; skin tones and the
  variation selector are dropped), via the ``emoji`` package;
- common ASCII emoticons (``:)``, ``:-(``, ``:'(``, ``<3``, ``xD`` ...) into words
  (``smiling face``, ``frowning face``, ``crying face``, ``red heart`` ...), a repeated mouth
  (``:((``, ``:)))``) as one face; faces opening with ``:`` or ``;`` and closing with a symbol
  may touch the word or punctuation before them (``ok:(``) and punctuation after them
  (``:(.``), the others must stand apart; never before a word character, slash or bracket
  (so ``http://``, ``a:b`` or ``f(x=(a))`` are untouched);
- HTML character references (``&amp;``, ``&lt;``, ``&#39;``: tweets from Twitter's API and web
  exports carry them, so ``&lt;3`` is a heart) and literal ``\uXXXX`` escapes (``don\u2019t``, left
  by text encoded twice as JSON) into the characters they stand for (:func:`decode_escapes`);
- HTML markup (message bodies from Intercom, Zendesk's ``html_body``, e-mail) into its text:
  tags of HTML elements, comments and the contents of ``<script>``/``<style>`` are removed, a
  link keeps its text, block elements and ``<br>`` become line breaks (:func:`strip_html`);
  text without markup (``<3``, ``a < b``, ``<ann@example.com>``, ``<Enter>``) is left alone;
- user mentions into ``@user`` and links into ``http``, as in the TweetEval training tweets;
- characters repeated more than three times into three (``soooooo`` -> ``sooo``,
  ``!!!!!!`` -> ``!!!``), which keeps the emphasis and bounds the token count.

ALL CAPS is kept as it is: the tokenizer is uncased, so capitals carry no signal to this encoder
(a cased plugin scorer still sees them, because plugins get the raw text).

Examples:
    >>> normalize_text("thanks for nothing 😡")
    'thanks for nothing enraged face'
    >>> normalize_text("@AmericanAir soooooo late!!!!!! :( https://t.co/x")
    '@user sooo late!!! frowning face http'
    >>> normalize_text("lost my bag again:(( thanks :))")
    'lost my bag again frowning face thanks smiling face'
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = ["EMOTICONS", "decode_escapes", "decode_text", "has_words", "may_decode", "normalize_text", "strip_html"]

#: ASCII emoticons and the emoji name each stands for (matched case-insensitively, standing apart).
EMOTICONS: dict[str, str] = {
    ":)": "smiling face",
    ":-)": "smiling face",
    ":]": "smiling face",
    "=)": "smiling face",
    ":d": "grinning face",
    ":-d": "grinning face",
    "xd": "grinning squinting face",
    ";)": "winking face",
    ";-)": "winking face",
    ":p": "face with tongue",
    ":-p": "face with tongue",
    ":(": "frowning face",
    ":-(": "frowning face",
    ":[": "frowning face",
    "=(": "frowning face",
    ":'(": "crying face",
    ":,(": "crying face",
    ":/": "confused face",
    ":-/": "confused face",
    ":\\": "confused face",
    ":|": "neutral face",
    ":-|": "neutral face",
    ":o": "face with open mouth",
    ":-o": "face with open mouth",
    ">:(": "angry face",
    "<3": "red heart",
    "</3": "broken heart",
}
_KEYS = sorted(EMOTICONS, key=len, reverse=True)


def _alternatives(keys: list[str]) -> str:
    """One regex alternative per emoticon, its mouth repeatable (``:((``, ``:DDD``, ``<333``)."""
    return "|".join(re.escape(e) + re.escape(e[-1]) + "*" for e in keys)


#: Faces that may touch the word or punctuation before them ("ok:(", "sorry!!:(", "(:(")): those
#: opening with ":", ";" or ">" and ending in a symbol. The others ("xD", ":p", "<3", "=)") must
#: stand apart, so that "boxd", "if n<3" or "x=(" are not read as faces.
_ATTACHED = [e for e in _KEYS if e[0] in ":;>" and not e[-1].isalnum()]
_EMOTICON = re.compile(
    rf"(?:(?<!\S)(?:{_alternatives(_KEYS)})|(?:{_alternatives(_ATTACHED)}))"
    # then more faces, and no word, slash or bracket right after ("a:b", "ftp://", "(x=(a))" stay)
    rf"(?:{_alternatives(_KEYS)})*(?![\w/\\()\[\]|])",
    re.IGNORECASE,
)
#: "D:" (anguish) only in capitals and at the end of the text: "Terminal D: gate 5", "Option D:
#: the refund" are labels, not faces.
_ANGUISH = re.compile(r"(?<!\S)D:(?=\s*$)")
_MENTION = re.compile(r"(?<![\w@])@\w+")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{3,}", re.DOTALL)
_SKIN = re.compile(r"_?(?:light|medium-light|medium|medium-dark|dark)_skin_tone")
_SPACES = re.compile(r"\s+")
#: The character references :func:`decode_escapes` decodes: named ones that HTML knows
#: (``&amp;``, ``&rsquo;``, ``&eacute;``) and numeric ones, each with its semicolon. Not a name
#: without one: ``html.unescape`` reads "I&nothing" as "I¬hing" and "&times up" as "× up",
#: which a customer who typed "&" did not write.
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d+|#[xX][0-9a-fA-F]+);")
_UNICODE_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


@lru_cache(maxsize=1)
def _html5_names() -> frozenset[str]:
    from html.entities import html5

    return frozenset(name for name in html5 if name.endswith(";"))


def _reference(match: re.Match[str]) -> str:
    ref = match.group(0)
    if ref[1] != "#" and ref[1:] not in _html5_names():
        return ref  # "&notaname;" is text
    return html.unescape(ref)


def _utf16(match: re.Match[str]) -> str:
    run = match.group(0)
    units = [int(run[i + 2 : i + 6], 16) for i in range(0, len(run), 6)]
    out: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if i + 1 < len(units) and 0xD800 <= unit < 0xDC00 and 0xDC00 <= units[i + 1] < 0xE000:
            out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (units[i + 1] - 0xDC00)))  # a pair: one emoji
            i += 2
            continue
        out.append(run[6 * i : 6 * i + 6] if 0xD800 <= unit < 0xE000 else chr(unit))  # a lone surrogate: as written
        i += 1
    return "".join(out)


def decode_escapes(text: str) -> str:
    r"""``text`` with HTML character references and literal ``\uXXXX`` escapes decoded, until none is left.

    Twitter's API and many web exports write "&" as ``&amp;``, "<" as ``&lt;`` and ">" as ``&gt;``;
    text that was encoded twice as JSON keeps ``\u2019`` for "'". Decoded repeatedly, so twice-escaped
    text (``&amp;lt;3``) comes out as written and the result is a fixed point. Only references
    with their semicolon are read, named ones that HTML knows and numeric ones: "AT&T", "Q&A" and
    "I&nothing" stay as they are. A lone surrogate escape is kept as written, its neighbours
    decoded.

    Examples:
        >>> decode_escapes("fees &amp; charges &lt;3 &amp;lt;3")
        'fees & charges <3 <3'
        >>> decode_escapes(r"don\u2019t \ud83d\ude21 caf\u00e9\ud83d")
        'don’t 😡 café\\ud83d'
        >>> decode_escapes("AT&T Q&A I&nothing &copy &rsquo; &eacute;t&eacute; &notaname;")
        'AT&T Q&A I&nothing &copy ’ été &notaname;'
    """
    for attempt in range(_ESCAPE_PASSES * 2):
        if "&" not in text and "\\u" not in text:
            break
        if attempt == _ESCAPE_PASSES:  # still changing: an escape escaped many times over, peeled one level a pass
            text = _ESCAPED_ESCAPE.sub(lambda m: m.group(0)[0], text)  # what the chain decodes to, at once
        out = _ENTITY.sub(_reference, _UNICODE_ESCAPES.sub(_utf16, text))
        if out == text:
            break
        text = out
    return text


#: Passes of :func:`decode_escapes` before a chain of escaped escapes is collapsed at once.
_ESCAPE_PASSES = 4
#: "&" written as ``&amp;`` (or ``&#38;``) again and again before a reference, and "\\" as ``\u005c``
#: again and again before an escape: each pass peels one level, so ``"&" + "amp;" * 20_000`` took
#: 20,000 passes (15 s); the chain is replaced by the "&" or "\\" it decodes to, in one pass.
_ESCAPED_ESCAPE = re.compile(r"&(?:(?:amp|#38|#[xX]26);)+(?=[#a-zA-Z])|\\(?:u005[cC])+(?=u)")


#: The HTML elements whose tags :func:`strip_html` removes. A name outside this list is text
#: ("use the <Enter> key", "<username>", "<ann@example.com>"), whatever the text around it.
_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "area",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "legend",
        "li",
        "link",
        "main",
        "map",
        "mark",
        "meta",
        "nav",
        "nobr",
        "noscript",
        "ol",
        "option",
        "p",
        "path",
        "picture",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "select",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "svg",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "wbr",
    ]
)
#: Elements that open a new line where they start or end (the others run on with their text:
#: "<b>re</b>fund" reads "refund").
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "iframe",
        "li",
        "main",
        "nav",
        "noscript",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "select",
        "summary",
        "svg",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
#: Prefixes of the namespaced tags Outlook and Word write into HTML e-mail: ``<o:p>``, smart tags
#: ``<st1:City>``, VML ``<v:roundrect>`` and ``<w:anchorlock/>``. Any ``prefix:name`` with one of
#: them is an element.
_OFFICE = re.compile(r"(?:o|v|w|st\d+):[a-z][a-z0-9]*")
#: Elements whose tag alone shows a text is HTML ("line one<br>line two"). Other void elements
#: need an attribute value for that: "click <link> to verify" and "i typed <img>" are placeholders.
_BREAKS = frozenset({"br", "hr"})
#: The attributes a tag may hold without a value: HTML's boolean ones (``<td nowrap>``, ``<option
#: selected>``), a few written bare in practice (``<a href=... download>``, ``<table border>``,
#: ``<div contenteditable>``) and any ``data-*`` or ``aria-*`` one (``<div data-reactroot>``):
#: "a<b and c>d" and "x<i and y>z" are text, not tags.
_BOOLEAN = (
    "allowfullscreen|async|autofocus|autoplay|checked|compact|controls|default|defer|disabled|formnovalidate|hidden|"
    "ismap|itemscope|loop|multiple|muted|nohref|noresize|noshade|novalidate|nowrap|open|readonly|required|reversed|selected|"
    "border|contenteditable|download|draggable|inert|spellcheck|translate|(?:data|aria)-[a-z0-9_.:-]+"
)
#: A tag: ``<name attr="value" ...>``, ``</name>`` or ``<name/>``. Attribute values quoted or bare;
#: an attribute without a value only if it is boolean (:data:`_BOOLEAN`); a closing tag has none.
_TAG = re.compile(
    r"<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9]*)?)"
    r"(?(close)\s*|(?P<attrs>(?:\s+(?:[^\s<>=/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+)"
    rf"|(?i:{_BOOLEAN})(?=[\s/>])))*)\s*/?)>"
)
#: Where a part goes with its contents: ``<script>``, ``<style>`` and ``<head>`` blocks (a
#: page's title is in its head, not its body), comments (Outlook's conditional ones too),
#: ``<!DOCTYPE ...>`` and ``<?xml ...?>``; each ends at the first :data:`_HIDDEN_ENDS` of its
#: kind. A ``<title>`` alone keeps its text ("<title> ... </title>" in a customer's words).
_HIDDEN = re.compile(r"<(?:(script|style|head)\b[^<>]*>|(!--)|(!doctype|\?xml)\b)", re.IGNORECASE)
_HIDDEN_ENDS = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "head")}
#: Spaces and tabs ending a line, the line break and the blank space after it: one line break.
#: The look-behind starts a match only where a run of spaces starts, so a long run with no line
#: break after it is scanned once, not once from each of its spaces (which took quadratic time).
_BLANK_LINES = re.compile(r"(?<![ \t])[ \t]*\n\s*")
#: How many times :func:`decode_text` decodes and strips before it gives up on reaching a fixed point.
_PASSES = 4
#: What :func:`decode_text` drops from a text still changing after :data:`_PASSES` passes.
_UNSTABLE = re.compile(r"[<>&\\]")


def _without_hidden(text: str) -> str:
    """``text`` without script and style blocks, comments and declarations; one left open is kept (linear time)."""
    out: list[str] = []
    pos = 0
    while (match := _HIDDEN.search(text, pos)) is not None:
        block, comment = match.group(1), match.group(2)
        if block:
            end = _HIDDEN_ENDS[block.lower()].search(text, match.end())
            stop = end.end() if end else -1
        else:
            close = text.find("-->" if comment else ">", match.end())
            stop = close + (3 if comment else 1) if close >= 0 else -1
        if stop < 0:  # never closed: text, and so is all that follows
            break
        out += (text[pos : match.start()], "\n")
        pos = stop
    return "".join(out) + text[pos:] if out else text


def _element(name: str) -> bool:
    """Whether ``name`` (in lower case) names an HTML element or an Office namespaced one."""
    return name in _ELEMENTS or (":" in name and _OFFICE.fullmatch(name) is not None)


def _markup(match: re.Match[str]) -> bool:
    """Whether a tag is unmistakably HTML: an element's closing tag, ``<br>``/``<hr>``, or one with an attribute value."""
    name = match.group("name").lower()
    if not _element(name):
        return False
    return bool(match.group("close")) or name in _BREAKS or "=" in match.group("attrs")


def _untag(match: re.Match[str]) -> str:
    name = match.group("name").lower()
    if not _element(name):
        return match.group(0)
    return "\n" if name in _BLOCKS else ""


def strip_html(text: str) -> str:
    r"""``text`` without its HTML markup: tags removed, a link's text kept, blocks and ``<br>`` as line breaks.

    Only a text that is unmistakably HTML changes: one holding an element's closing tag
    (``</p>``), ``<br>`` or ``<hr>``, a tag with an attribute value (``<div class="x">``,
    ``<img src="...">``), a comment or a ``<script>``/``<style>``/``<head>`` block. In such a
    text the tags of HTML elements (Outlook's and Word's namespaced ones too: ``<o:p>``,
    ``<st1:City>``, ``<v:roundrect>``) are removed (``<a href="...">here</a>`` keeps "here"), as
    are comments and what ``<script>``, ``<style>`` and ``<head>`` hold. Names that are not HTML
    elements stay as text everywhere: "press <Enter>", "<username>", an address in angle
    brackets ``<ann@example.com>``; so do ``<3``, ``</3``, ``a < b``, ``x<y``, ``->`` and ``<<``.
    A lone tag of an element without attributes ("press <b> to go back", "click <link> to
    verify") is text too, as it would be ambiguous, and so is anything in brackets that is not
    tag syntax: an attribute without a value must be a boolean one (``<td nowrap>``), so
    "a<b and c>d" is text. Character references are not decoded here (:func:`decode_text` does both).

    Examples:
        >>> strip_html('<div class="intercom-container"><p>Where is my card?</p><p>Please help</p></div>')
        'Where is my card?\nPlease help'
        >>> strip_html('see <a href="https://x.com/help">the help page</a><br/>thanks <3')
        'see the help page\nthanks <3'
        >>> strip_html("I <3 you, a < b, x<y -> z << w, mail <ann@example.com>, press <Enter>, <b> is bold")
        'I <3 you, a < b, x<y -> z << w, mail <ann@example.com>, press <Enter>, <b> is bold'
    """
    if "<" not in text:
        return text
    hidden = _without_hidden(text)
    if hidden == text and not any(_markup(m) for m in _TAG.finditer(text)):
        return text
    out = _TAG.sub(_untag, hidden)
    return _BLANK_LINES.sub("\n", out).strip()


def may_decode(text: str) -> bool:
    r"""Whether :func:`decode_text` may change ``text``: it holds ``<``, ``&`` or ``\`` (markup, a reference, an escape).

    Examples:
        >>> may_decode("plain words"), may_decode("a &amp; b")
        (False, True)
    """
    return "<" in text or "&" in text or "\\" in text


def decode_text(text: str) -> str:
    r"""``text`` with escapes decoded (:func:`decode_escapes`) and markup removed (:func:`strip_html`) until neither changes it.

    Markup is removed first, then references decoded, pass after pass, so markup written as
    references (``&lt;p&gt;``) is markup too (the next pass removes it), while a reference inside
    a tag's attribute (Outlook's ``style="font-family:&quot;Calibri&quot;"``) is gone with its
    tag rather than decoded into a quote that would end the attribute early and leave the tag in
    the text. The result is a fixed point (``decode_text`` leaves it as it is) and takes linear time: a text
    still changing after four passes nests tags in one another's brackets (``<<<</b>/b>/b>/b>``, as
    no mail client writes), and its remaining ``<``, ``>``, ``&`` and ``\`` are dropped, since
    each further pass would peel off only one more level.

    Examples:
        >>> decode_text("<p>The app won&#39;t let me log in &amp; I&#39;m stuck</p>")
        "The app won't let me log in & I'm stuck"
        >>> decode_text("love it &lt;3")
        'love it <3'
        >>> decode_text('<p class="MsoNormal"><span style="font-family:&quot;Calibri&quot;">Where is my card?</span></p>')
        'Where is my card?'
        >>> decode_text("&lt;p&gt;hello&lt;/p&gt;")
        'hello'
    """
    for _ in range(_PASSES):
        out = decode_escapes(strip_html(text))
        if out == text:
            return out
        text = out
    if decode_escapes(strip_html(text)) == text:
        return text
    return _UNSTABLE.sub("", text)  # nothing left to decode or strip: a fixed point


def _emoticon_words(match: re.Match[str]) -> str:
    run = match.group(0)
    words: list[str] = []
    pos = 0
    lower = run.lower()
    while pos < len(run):
        for key in _KEYS:
            if lower.startswith(key, pos):
                words.append(EMOTICONS[key])
                pos += len(key)
                while pos < len(run) and lower[pos] == key[-1]:  # a repeated mouth is one face
                    pos += 1
                break
        else:  # pragma: no cover - the regex only matches runs of known emoticons
            pos += 1
    return " " + " ".join(words) + " "


def _emoji_name(chars: str, data: dict[str, object]) -> str:
    name = str(data.get("en", "")).strip(":")
    name = _SKIN.sub("", name).replace("_", " ").strip()
    return f" {name} " if name else " "


@lru_cache(maxsize=1)
def _demojize() -> object:
    import emoji

    return emoji.replace_emoji


def normalize_text(text: str) -> str:
    """The text as the default model reads it: emoji and emoticons in words, mentions and links generic.

    Idempotent on its own output; a text without emoji, emoticons, escapes, HTML markup, mentions,
    links or long repeats only has its whitespace collapsed.

    Examples:
        >>> normalize_text("😍👍")
        'smiling face with heart-eyes thumbs up'
        >>> normalize_text("so good <3 &lt;3")
        'so good red heart red heart'
    """
    text = decode_text(text)
    if text.isascii():  # no emoji to look up: skip the emoji package's scan
        out = text
    else:
        replace = _demojize()
        out = replace(text, replace=_emoji_name).replace("\ufe0f", "")  # type: ignore[operator]
    out = _URL.sub("http", out)
    out = _MENTION.sub("@user", out)
    out = _EMOTICON.sub(_emoticon_words, out)
    out = _MENTION.sub("@user", out)  # a handle the face touched ("<3@bob"): a mention once the face is words
    out = _ANGUISH.sub(" anguished face ", out)
    out = _REPEAT.sub(lambda m: m.group(1) * 3, out)
    return _SPACES.sub(" ", out).strip()


#: What :func:`normalize_text` writes for a mention and a link: no words of the writer's.
_PLACEHOLDERS = re.compile(r"(?<!\w)@user\b|\bhttp\b")


def has_words(text: str) -> bool:
    """Whether ``text`` says something in words once read as the model reads it (:func:`normalize_text`).

    Emoji and emoticons are words there ("😡" is "enraged face"); mentions, links, numbers and
    punctuation are not: a tweet of only ``@AppleSupport https://t.co/...`` (a screenshot), an
    order number or a lone "?" has nothing to read, as an image has none.

    Examples:
        >>> [has_words(t) for t in ["@AppleSupport https://t.co/x1", "#12345", "?", "😡😡", ":(", "still broken", "#fail"]]
        [False, False, False, True, True, True, True]
    """
    if not may_decode(text):  # nothing to decode: letters outside mentions and links
        bare = _MENTION.sub(" ", _URL.sub(" ", text))
        if any(c.isalpha() for c in bare):
            return True
    return any(c.isalpha() for c in _PLACEHOLDERS.sub(" ", normalize_text(text)))
