"""What a social post says about accounts: the ``@handles`` it names and the agent who signed it.

Shared by the TWCS reader (:func:`journeymap.read_twcs`) and the generic reader's ``brands=``
(:func:`journeymap.io._values.brand_actors`), so that both read a post the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._threads import nearest_up
from journeymap.io import _regex

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import numpy.typing as npt

    #: What a comma sign-off's name is checked against: a text per post, or a function of the
    #: positions of the posts that end with one, giving their texts.
    Addressee = pd.Series | Callable[[npt.NDArray[np.int64]], Sequence[str]]

__all__ = [
    "BEFORE_SIGNATURE_PATTERN",
    "CLOSING_WORDS",
    "COMMA_SIGNATURE_PATTERN",
    "GREETING_PATTERN",
    "HANDLE",
    "PART_PATTERN",
    "SIGNATURE_PATTERN",
    "SPACED_SIGNATURE_PATTERN",
    "TRAILER",
    "addressed_rows",
    "agent_ids",
    "brand_agents",
    "extract_on",
    "first_mention",
    "names_account",
    "nearest_above",
    "signatures",
    "signed_parts",
]

#: An @mention: "@" (or Twitter's full-width "＠") not after a letter or digit, then the handle.
HANDLE = r"(?:^|[^\w@＠])[@＠](?P<handle>\w+)"

#: An agent's signature at the end of a brand post (before links and a "1/2" counter):
#: "^JB", "/AY", "-Becky", "- Paige", "*TLT", "~Ann". A candidate: :func:`agent_ids` turns
#: down closing words and, after a spaced marker, words that are no name (:func:`signatures`).
SIGNATURE_PATTERN = r"(?:^|\s)[\^/*~\-\u2013\u2014]\s?(?P<agent>[A-Z][A-Za-z]{1,14})[.!]?\s*$"
#: The same signature after a spaced marker ("- Paige", not "-AD" or "^JB"): the word after it.
SPACED_SIGNATURE_PATTERN = r"(?:^|\s)[\^/*~\-\u2013\u2014]\s(?P<agent>[A-Z][A-Za-z]{1,14})[.!]?\s*$"
#: The word of letters just before a spaced marker that a signature follows: "Thanks" in
#: "Thanks - Mike", "Euston" in "Euston - Glasgow".
BEFORE_SIGNATURE_PATTERN = r"(?:^|\s)(?P<before>[A-Za-z]+)\s[\^/*~\-\u2013\u2014]\s[A-Z][A-Za-z]{1,14}[.!]?\s*$"
#: A pair of names after a route or menu cue: "from Euston - Glasgow", "Settings > Privacy - Location".
ROUTE_PAIR_PATTERN = (
    r"(?:^|\s)(?:(?i:from|between|via)\s|[>\u2192\u00bb]\s?)[A-Za-z]+\s[\^/*~\-\u2013\u2014]\s[A-Z][A-Za-z]{1,14}[.!]?\s*$"
)
#: Words that close or open a post, in any case: "- Thanks!", "^Cheers", "-TY" sign nobody.
CLOSING_WORDS = frozenset(
    {
        "thanks", "thank", "thankyou", "thanx", "thnx", "thx", "ty", "tyvm", "tia", "cheers", "regards", "rgds",
        "best", "sincerely", "warmly", "respectfully", "cordially", "love", "hugs", "xx", "xo", "xoxo", "enjoy",
        "welcome", "sorry", "please", "pls", "bye", "goodbye", "ciao", "cya", "hi", "hello", "hey", "gracias",
        "merci", "danke",
    }
)  # fmt: skip
#: A sign-off with a comma at the very end of a brand post: "Thanks, Sam", "Cheers, Sam.", "Kind
#: regards, Jo" (a closing word of those listed, in any case, opening a sentence: at the start
#: of the post or after punctuation, an emoji or a line break). Not with "!" ("Thanks, Sam!" thanks
#: Sam), nor after "Thank you", "Thanks again" or "Take care" (said to the person named). :func:`signatures` turns down a
#: name that is no person's and one the post, or a customer's post above it in its thread or a greeting of the brand's
#: (:func:`brand_agents`), also names.
COMMA_SIGNATURE_PATTERN = (
    r"(?:^|[^\w\s,]\s*|\n\s*)(?i:kind regards|best regards|warm regards|many thanks|best wishes|thanks|"
    r"cheers|regards|rgds|best|thx|sincerely|warmly),\s*(?P<agent>[A-Z][a-z]{1,14})\.?\s*$"
)
#: A brand post that opens by addressing the customer by name, after its @mentions: a greeting
#: ("Hi Sam", "Hey, Sam!", "Dear Sam", "Thanks Sam", "Good morning Sam") or the name and a comma
#: ("Sam, sorry about that"). :func:`brand_agents` reads ``name`` as the customer's in the thread.
GREETING_PATTERN = (
    r"^\s*(?:@\w+[\s,:]*)*(?:(?:(?i:hi|hello|hey|heya|hiya|howdy|dear|morning|afternoon|evening|good morning|"
    r"good afternoon|good evening|thanks|thank you|thx|ty|cheers|sorry|welcome|yo)[\s,!.]+)+"
    r"(?P<greeted>[A-Za-z][a-z]{1,14})(?![\w'])|(?P<called>[A-Z][a-z]{1,14}),)"
)
#: What the name of a comma sign-off (:data:`COMMA_SIGNATURE_PATTERN`) must not be: a closing
#: word, or a word for a group ("Cheers, Team", "Thanks, All").
_NO_AGENT_NAMES = CLOSING_WORDS | {
    "team", "all", "everyone", "everybody", "guys", "folks", "friend", "friends", "again", "mate", "pal", "buddy",
}  # fmt: skip
#: A word after a spaced marker that signs: a given name ("Paige", "McKenzie") or two initials ("- JR").
_SPACED_NAME = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?|[A-Z]{2}"
#: What may follow a signature: links, a part counter ("2/2", "(2/2)", "[2/2]") and tokens of no
#: letters or digits (emoji, emoticons such as ":)", punctuation).
TRAILER = r"(?:\s+(?:https?://\S+|[(\[]?\d/\d[)\]]?|[^\w\s]+))+\s*$"


def agent_ids(text: pd.Series, author: pd.Series, addressee: Addressee | None = None) -> pd.Series:
    """The agent who signed each brand post, as ``"<brand account>/<signature>"`` (NA unsigned).

    Support teams sign posts with initials or a first name after a marker: ``^JB``, ``/AY``,
    ``-Becky``, ``- Paige``, ``*TLT``, or after a closing and a comma: ``Thanks, Sam``. Links and
    a ``1/2`` counter after the signature are skipped. What the marker is followed by must be a
    name (:func:`signatures`): "- Thanks!" or "Euston - Glasgow" at the end of a post sign nobody,
    nor does "Thanks, Sam" where the post or ``addressee`` (the customer's id and the message the
    post answers; with :func:`brand_agents`, the customers' posts above it in its thread and the
    names the brand's posts above greet) names Sam.

    Examples:
        >>> import pandas as pd
        >>> texts = pd.Series(["@1 Sorry about that ^JB https://t.co/x", "@2 DM us", "@3 Fixed now - Paige", "@4 Soon - Thanks!",
        ...     "@5 Sorted now. Cheers, Sam"])
        >>> agent_ids(texts, pd.Series(["AskBrand"] * 5)).tolist()
        ['AskBrand/JB', <NA>, 'AskBrand/Paige', <NA>, 'AskBrand/Sam']
    """
    return (author.astype("string") + "/" + signatures(text, addressee)).astype("string")


def signatures(text: pd.Series, addressee: Addressee | None = None) -> pd.Series:
    """The signature that ends each post (:data:`SIGNATURE_PATTERN`, after links and a counter), NA where none.

    A word after a marker at the end of a post signs it unless something says it is no name:

    * a closing or greeting word, in any case and after any marker (:data:`CLOSING_WORDS`:
      "- Thanks!", "^Cheers", "-TY"): a courtesy is nobody's name, and a bot's "We got your
      message - Thanks!" must not read as signed by a person (signed replies are exempted from
      the repeated-text rule of :class:`~journeymap.AutoReplyRule`);
    * after a spaced marker ("X - Y", "X / Y"), where agents write first names ("- Paige") and
      posts also name places, routes and menus: a word not shaped like a given name or two
      initials (``"- JFK"``, ``"- FAQ"``: three capitals are a code there; unspaced, "^TLT" and
      "-AD", initials are the custom), or a word of the same shape as the word of letters just
      before the marker, which is no closing word (a pair: "Euston - Glasgow", "LHR - JFK",
      "Settings > Privacy - Location"; "Thanks - Mike" and "TY - Chris" sign). Capitals pair
      with capitals wherever ("LHR - JFK"); a capitalised word pairs with one only after a route
      or menu cue (:data:`ROUTE_PAIR_PATTERN`: "from", "between", "via", ">"), as a
      customer's name before the agent's is common ("Thanks Tom - Paige" signs Paige).

    An agent whose initials spell a closing word ("^TY") reads as unsigned, and a route without
    a cue ("Euston - Glasgow") as signed by its last word.

    A post with no such marker may end with a comma sign-off (:data:`COMMA_SIGNATURE_PATTERN`:
    "Thanks, Sam", "Cheers, Sam."). Replies also close by thanking the customer by name, so the
    name signs unless it is no person's ("Cheers, Team") or is the customer's: named elsewhere in
    the post ("Hi Sam! ... Thanks, Sam") or in ``addressee`` (per post: the customer's id or
    handle and the message the post answers, as a word in any case: "@sam_j", "- Sam").

    Examples:
        >>> texts = pd.Series(["ok ^TLT", "ok - Thanks!", "from Euston - Glasgow", "LHR - JFK", "now - Paige", "Thanks - Lee 2/2",
        ...     "TY - Chris", "ok - JR", "ok -AD", "check - FAQ", "Thanks Tom - Paige"])
        >>> signatures(texts).tolist()
        ['TLT', <NA>, <NA>, <NA>, 'Paige', 'Lee', 'Chris', 'JR', 'AD', <NA>, 'Paige']
        >>> texts = pd.Series(["Done. Thanks, Sam", "Done. Thanks, Sam", "Hi Sam, done. Thanks, Sam", "Done. Thanks, Sam!",
        ...     "Done, Sam", "Cheers, Team"])
        >>> signatures(texts, pd.Series(["115 my order?", "sam_j my order? - Sam", "", "", "", ""])).tolist()
        ['Sam', <NA>, <NA>, <NA>, <NA>, <NA>]
    """
    stripped = _regex.replace(text, TRAILER, "")
    texts = _regex.Texts(stripped)
    found = texts.extract(SIGNATURE_PATTERN)
    found = found.fillna(_comma_signatures(stripped, found.isna().to_numpy(dtype=bool), addressee))
    signed = found.notna().to_numpy(dtype=bool)
    if not signed.any():
        return found
    word = found[signed]
    spaced = texts.extract(SPACED_SIGNATURE_PATTERN)[signed].notna().to_numpy(dtype=bool)
    before = texts.extract(BEFORE_SIGNATURE_PATTERN)[signed]
    closing = word.str.lower().isin(CLOSING_WORDS).to_numpy(dtype=bool)
    no_name = spaced & ~word.str.fullmatch(_SPACED_NAME).fillna(False).to_numpy(dtype=bool)
    shape = _shapes(word)
    pair = spaced & before.notna().to_numpy(dtype=bool) & ~before.str.lower().isin(CLOSING_WORDS).to_numpy(dtype=bool)
    # codes pair whatever comes before ("LHR - JFK"); names only after a route or menu cue, as
    # a customer's name before the agent's is common ("Thanks Tom - Paige")
    route = texts.contains(ROUTE_PAIR_PATTERN)[signed]
    pair &= (_shapes(before) == shape) & ((shape == 1) | ((shape == 0) & route))
    keep = np.zeros(len(found), dtype=bool)
    keep[signed] = ~(closing | no_name | pair)
    return found.where(keep)


def _comma_signatures(text: pd.Series, rows: npt.NDArray[np.bool_], addressee: Addressee | None) -> pd.Series:
    """The name of each of ``rows``' comma sign-off (:data:`COMMA_SIGNATURE_PATTERN`) that signs; NA elsewhere.

    ``text`` are the posts without their trailers. The marker signatures' checks
    (:func:`signatures`) do not apply to these; a name that is no person's
    (:data:`_NO_AGENT_NAMES`), or that the post before its sign-off or its ``addressee`` names as
    a word in any case, is not an agent's. ``addressee`` is a text per row of ``text``, or a
    function giving the texts of the rows at the positions it is handed.
    """
    found = pd.Series(pd.NA, index=text.index, dtype="string")
    if not rows.any():
        return found
    found[rows] = _regex.extract(text[rows], COMMA_SIGNATURE_PATTERN)
    hits = np.flatnonzero(found.notna().to_numpy(dtype=bool))
    if not len(hits):
        return found
    sign_off = re.compile(COMMA_SIGNATURE_PATTERN)
    posts = text.iloc[hits].astype(str).to_numpy(dtype=object)
    if addressee is None:
        others: Sequence[str] = [""] * len(hits)
    elif callable(addressee):  # worked out for the posts that end with a comma sign-off only
        others = addressee(hits)
    else:
        others = addressee.iloc[hits].fillna("").astype(str).tolist()
    keep = np.zeros(len(found), dtype=bool)
    for i, post, other in zip(hits, posts, others, strict=True):
        match = sign_off.search(post)
        if match is None:  # pragma: no cover - RE2 and re agree on these patterns (journeymap.io._regex)
            continue
        name = match.group("agent")
        if name.lower() in _NO_AGENT_NAMES:
            continue
        word = re.compile(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", re.IGNORECASE)
        keep[i] = word.search(post[: match.start("agent")]) is None and word.search(other) is None
    return found.where(keep)


def _shapes(words: pd.Series) -> npt.NDArray[np.int64]:
    """0 for a capitalised word ("Euston"), 1 for capitals ("LHR"), -1 otherwise (also NA)."""
    capitalised = words.str.fullmatch(r"[A-Z][a-z]+").fillna(False).to_numpy(dtype=bool)
    capitals = words.str.fullmatch(r"[A-Z]{2,}").fillna(False).to_numpy(dtype=bool)
    return np.select([capitalised, capitals], [0, 1], default=-1).astype(np.int64)


def brand_agents(
    text: pd.Series,
    author: pd.Series,
    brand_post: npt.NDArray[np.bool_],
    answered: npt.NDArray[np.int64] | None = None,
    parents: npt.NDArray[np.int64] | None = None,
) -> pd.Series:
    """:func:`agent_ids` of the brand's posts (NA for the customers'), reading only the brand's texts.

    ``answered``: for each post, the row of the customer's post it answers (-1: none, or not
    known), whose author and text are the ``addressee`` of a comma sign-off ("Thanks, Sam"
    answering "- Sam" thanks the customer). ``parents``: each post's parent row in its reply
    tree (-1: none); the authors and texts of the customers' posts above a brand post are its
    ``addressee`` too, and so is the name that a brand post above opens by greeting
    (:data:`GREETING_PATTERN`: "Hi Sam, sorry ..." two replies before), so that "Thanks, Sam" in
    a later reply thanks Sam, not signs. What else the brand's own posts above say does not
    count: the same agent's earlier signature ("... Thanks, Mike", "^Mike") or a handover ("I'll
    pass this to Sam in our refunds team") leaves "Thanks, Mike" or "Thanks, Sam" signed.

    Examples:
        >>> text = pd.Series(["@AskBrand lost it", "@115 Hi Sam, sorry! DM us ^JB", "@AskBrand done", "@115 Sent. Thanks, Sam"])
        >>> author = pd.Series(["115", "AskBrand", "115", "AskBrand"])
        >>> brand, parents = np.array([False, True, False, True]), np.array([-1, 0, 1, 2])
        >>> brand_agents(text, author, brand, np.array([-1, 0, -1, 2]), parents).tolist()
        [<NA>, 'AskBrand/JB', <NA>, <NA>]
        >>> brand_agents(text, author, brand, np.array([-1, 0, -1, 2])).tolist()  # the answered post alone
        [<NA>, 'AskBrand/JB', <NA>, 'AskBrand/Sam']
        >>> text[1] = "@115 Sorry! I'll pass this to Sam in our refunds team. Thanks, Jo"
        >>> brand_agents(text, author, brand, np.array([-1, 0, -1, 2]), parents).tolist()  # a handover
        [<NA>, 'AskBrand/Jo', <NA>, 'AskBrand/Sam']
    """
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    if not brand_post.any():
        return out
    who = author.astype("string").fillna("").to_numpy(dtype=object)
    said = text.astype("string").fillna("").to_numpy(dtype=object)
    rows = np.flatnonzero(brand_post)

    greeting = re.compile(GREETING_PATTERN)

    def greeted(row: int) -> str:
        """The name the brand post at ``row`` opens by greeting ("" where none)."""
        match = greeting.match(said[row])
        return "" if match is None else match.group("greeted") or match.group("called") or ""

    def context(hits: npt.NDArray[np.int64]) -> list[str]:
        """The customers' posts above each of the brand posts at ``hits``, and whom the brand's posts above greet."""
        out: list[str] = []
        for row in rows[hits]:
            above: list[int] = []
            if answered is not None and answered[row] >= 0:
                above.append(int(answered[row]))
            if parents is not None:
                seen = {int(row)}
                parent = int(parents[row])
                while parent >= 0 and parent not in seen:  # a cycle (rejected anyway) ends the climb
                    seen.add(parent)
                    above.append(parent)
                    parent = int(parents[parent])
            out.append("\n".join(greeted(r) if brand_post[r] else f"{who[r]}\n{said[r]}" for r in dict.fromkeys(above)))
        return out

    addressee = context if answered is not None or parents is not None else None
    out[brand_post] = agent_ids(text[brand_post], author[brand_post], addressee)
    return out


def first_mention(text: pd.Series, handles: Iterable[str]) -> pd.Series:
    """The first of ``handles`` each text names as an ``@handle`` (:data:`HANDLE`), as the text spells it; NA where none.

    Handles match in any case, as on the platforms ("@applesupport" names ``AppleSupport``), and
    whole: ``@Tesco_UK`` does not name ``Tesco``; ``joe@tesco.com`` names no one. Entries that
    are no handle (empty, or with characters other than letters, digits and ``_``) are skipped.

    Examples:
        >>> texts = pd.Series(["@115 ask @applesupport and @Tesco", "@Tesco_UK hi", "mail joe@tesco.com", None])
        >>> first_mention(texts, ["Tesco", "AppleSupport"]).tolist()
        ['applesupport', <NA>, <NA>, <NA>]
    """
    names = sorted({h for h in handles if re.fullmatch(r"\w+", h)}, key=lambda h: (-len(h), h))
    if not names:
        return pd.Series(pd.NA, index=text.index, dtype="string")
    alternatives = "|".join(re.escape(h) for h in names)
    return _regex.extract(text, "(?i)" + HANDLE.replace(r"(?P<handle>\w+)", rf"(?P<handle>{alternatives})\b"))


#: A "1/2" counter near the end of a post (before a signature and links): one part of a reply
#: split over posts.
PART_PATTERN = r"(?:^|\s)[(\[]?(?P<part>\d)/\d[)\]]?(?:\s+\S+){0,3}\s*$"


def nearest_above(parent_row: npt.NDArray[np.int64], stop: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """For each row, the nearest row at or above it in the reply tree where ``stop`` holds (-1: none).

    :func:`journeymap._threads.nearest_up` (pointer jumping), with -1 where the climb ends on no
    ``stop``: a brand reply to a brand reply finds the customer the first one answered; a later
    part of a split reply finds its first part. Rows in a cycle without a stop (rejected anyway)
    find none.

    Examples:
        >>> # 0 customer <- 1 brand <- 2 brand; 3 brand with no parent
        >>> nearest_above(np.array([-1, 0, 1, -1]), np.array([True, False, False, False])).tolist()
        [0, 0, 0, -1]
    """
    top = nearest_up(parent_row, stop)
    return np.where(stop[top], top, -1)


def names_account(text: pd.Series, rows: npt.NDArray[np.bool_], customers: pd.Series) -> npt.NDArray[np.bool_]:
    """Whether each of ``rows`` names an ``@handle`` that is not one of ``customers`` (False elsewhere).

    The corpus anonymises handles as numbers, brands' as well as customers' (``@76099``; the
    support accounts keep their names), so a handle counts as a brand's unless it is the
    author of a customer's tweet in the data.

    Examples:
        >>> text = pd.Series(["@115 me too", "@76099 fix it", "no handle", "@AskBrand hi", "@115 ask @Brand",
        ...     "mail joe@mail.com", "＠AskBrand hi"])
        >>> names_account(text, np.ones(7, dtype=bool), pd.Series(["115"])).tolist()
        [False, True, False, True, True, False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.zeros(len(text), dtype=bool)
    if not rows.any():
        return out
    where = np.flatnonzero(rows)
    # the first handle, by RE2 over the column: a tweet to a brand opens with it (handles match in
    # any case, as on Twitter; "joe@mail.com" names no one)
    first = _regex.extract(text.iloc[where], HANDLE).str.lower()
    names = customers.dropna().astype(str).str.lower().unique()
    known = pa.array(names, type=pa.large_string())
    handles = pa.array(first.astype(object).where(first.notna(), None), type=pa.large_string())
    is_customer = np.asarray(pc.is_in(handles, value_set=known).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    named = first.notna().to_numpy(dtype=bool)
    out[where[named & ~is_customer]] = True
    # the first handle is a customer's (a reply to another customer): read the others too
    again = where[named & is_customer]
    if len(again):
        customer_handles = set(names)
        handle = re.compile(HANDLE)
        out[again] = [any(h.lower() not in customer_handles for h in handle.findall(t)) for t in text.iloc[again].astype(str)]
    return out


def addressed_rows(
    text: pd.Series,
    parent_row: npt.NDArray[np.int64],
    *,
    customer: npt.NDArray[np.bool_],
    brand: npt.NDArray[np.bool_],
    dangling: npt.NDArray[np.bool_],
    customers: pd.Series,
) -> npt.NDArray[np.bool_]:
    """:data:`~journeymap.schema.ADDRESSED` of posts in reply trees: False for a customer post addressed to no brand.

    Neither it nor any post above it (``parent_row``) is a brand's (``brand``), has a brand's
    reply, answers a post outside the data (``dangling``: it may answer a brand) or names an
    ``@handle`` other than one of ``customers`` (:func:`names_account`). A bystander's remark in a
    thread the brand answered for someone else is one: it waits for no reply of the brand's.
    Rows that are not ``customer`` are addressed.

    Examples:
        >>> # 0: a remark; 1: "@UPSHelp why?" answering it; 2: the brand's reply to 1
        >>> text = pd.Series(["parcel late again", "@UPSHelp why?", "@115 sorry"])
        >>> addressed_rows(text, np.array([-1, 0, 1]), customer=np.array([True, True, False]),
        ...     brand=np.array([False, False, True]), dangling=np.zeros(3, dtype=bool), customers=pd.Series(["115"])).tolist()
        [False, True, True]
    """
    answered_by_brand = np.zeros(len(parent_row), dtype=bool)
    answered_by_brand[parent_row[brand & (parent_row >= 0)]] = True
    known = ~customer | dangling | answered_by_brand
    loose_chain = customer & (nearest_above(parent_row, known) < 0)  # only these can be unaddressed
    names = names_account(text, loose_chain, customers)
    return np.asarray(~customer | (nearest_above(parent_row, known | names) >= 0), dtype=bool)


def signed_parts(
    agent: pd.Series, text: pd.Series, author: pd.Series, brand: npt.NDArray[np.bool_], parent_row: npt.NDArray[np.int64]
) -> pd.Series:
    """``agent`` with the unsigned parts of a reply split over posts ("1/2", "2/2") signed like the others.

    Agents often sign only the last part. The parts of one reply are the brand posts with a
    counter by one account that answer the same post, or where a later part answers an earlier
    one; where they carry one signature between them, the unsigned parts get it.
    """
    number = extract_on(text, brand, PART_PATTERN)  # brand posts only: parts of a customer post do not matter
    part = number.notna().to_numpy(dtype=bool) & brand & author.notna().to_numpy()
    if not part.any():
        return agent
    rows = np.arange(len(agent), dtype=np.int64)
    authors = author.fillna("").to_numpy(dtype=object)  # a missing author (rejected anyway) matches nobody
    safe = np.maximum(parent_row, 0)
    later = number.ne("1").fillna(False).to_numpy(dtype=bool)  # a "1/2" starts a reply of its own
    chained = part & later & (parent_row >= 0) & part[safe] & (authors[safe] == authors) & (authors != "")
    head = nearest_above(parent_row, ~chained)  # each part's first part (itself when it is one)
    head = np.where(head >= 0, head, rows)
    # one reply: the account, and the post its first part answers (itself when it answers none)
    answered = np.where(parent_row[head] >= 0, parent_row[head], head)
    key = pd.Series(authors.astype(str), index=agent.index) + "\x1f" + pd.Series(answered, index=agent.index).astype(str)
    key = key.where(pd.Series(part, index=agent.index))
    signed = pd.DataFrame({"key": key, "agent": agent}).dropna()
    distinct = signed.groupby("key")["agent"].nunique()
    single = signed.drop_duplicates("key").set_index("key")["agent"][distinct == 1]
    return agent.fillna(key.map(single).astype("string"))


def extract_on(text: pd.Series, rows: npt.NDArray[np.bool_], pattern: str) -> pd.Series:
    """:func:`journeymap.io._regex.extract` of the given rows only; ``<NA>`` on the others."""
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    if rows.any():
        out.iloc[np.flatnonzero(rows)] = _regex.extract(text[rows], pattern).to_numpy(dtype=object)
    return out
