"""Organisation names in running text: the vocabulary and the rules that cut a name.

English names of bodies are built around a head noun ("Ministry", "Service",
"Association") with modifiers before it ("Latvian Prison Administration") and a
complement after it ("of Justice of Belgium", "for Penal Reform"). This module
finds where such a name starts and ends inside a run of capitalised words; it
knows nothing of any particular body (the registry, ontology/organisations.tsv,
is read by :mod:`practicegraph.nlp.organisations`, which resolves the names).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable


def _vocabulary(words: str) -> frozenset[str]:
    """A word list written as one string (the lists are long and read better as prose)."""
    return frozenset(words.split())


#: Head nouns of organisation names (bodies, establishments, organs of government).
ORG_HEADS = _vocabulary(
    """Ministry Ministère Service Services Association Confederation Organisation
    Organization Committee Council Commission Parliament Union Unions Network
    Administration Agency Department Office Institute Centre Center University College
    School Academy Police Court Tribunal Group Foundation Federation Bureau Directorate
    Society Authority Board Inspectorate Trust Alliance Secretariat Representation
    Corporation Prosecutor's Chamber Observatory Consortium Fund Prison Prisons Jail
    Penitentiary Gendarmerie Government Assembly Senate Municipality Division Mission
    Mechanism Ombudsman Laboratory Lab Presence Delegation Unit Team Teams Facility
    Institution Party Limited Embassy Consulate League Forum Fraternity Fellowship
    Brotherhood Coalition Consultancy Bank Hospital Clinic Complex Lodge"""
)
#: Head nouns of events: a name ending in one is an event, not a body.
EVENT_HEADS = _vocabulary(
    """Conference Meeting Seminar Workshop Masterclass Hearing Congress Summit
    Symposium Webinar Roundtable Awards Award Session"""
)
#: Words after which a name is about a document, rule or event, not a body.
STOP_TAIL = EVENT_HEADS | _vocabulary(
    """Rules Rule Recommendation Recommendations Report Declaration Strategy Programme
    Program Project Plan Guidelines Framework Decision Decisions Convention Act Prize
    Grants Day Week Year Standards Order Orders Budget Charter Treaty Protocol Directive
    Regulation Regulations Manual Handbook Toolkit Agenda"""
)
#: Last words of a name that is no body: an instrument, a system, a method, a group
#: of people ("European Arrest Warrant", "Prison Information System", "Social Workers").
NON_BODY_TAILS = STOP_TAIL | _vocabulary(
    """System Systems Warrant Monitoring Exchange Workers Officers Staff Commander
    Commanders Tool Tools Model Method Methods Index Database Survey Scale Course
    Curriculum Scheme Award Awards Prize Campaign"""
)
#: Titles of office and forms of address: a name holding one is a person's or a role's.
ROLE_WORDS = _vocabulary(
    """Head Heads Director Directors Commissioner Commissioners Minister Ministers Member
    Members President Vice Chair Secretary Officer Governor Governors Dr Prof Mr Mrs
    Ms Professor Superintendent Detective Constable Sergeant"""
)
#: Capitalised words that open a sentence or a phrase and never a name.
SENTENCE_STARTERS = _vocabulary(
    """The A An This These That Also In On At For By With From As And Its Their Our His
    Her Each Every All Both Several Many Some During Within After Before Throughout Under
    Over When While Through Since Following Colleagues Representatives Participants
    Partners Today Yesterday Last Next Then Thus However About Contact Us Former Current"""
)
#: The common vocabulary of the field: a name made of these alone is a description.
GENERIC = _vocabulary(
    """Correctional Prison Prisons Probation Penitentiary Police Public Social Health
    Security Justice Criminal National Local Regional Services Service Institutions
    Authorities Agencies Organisations Organizations Networks Unions European
    International Partner Departments Offices Ministries Group Groups Working Expert
    Network"""
)
CONNECTORS = _vocabulary("of for the and on in de du des la le & to d'")
#: All-caps tokens that are not organisations in this field's texts.
NON_ORG_ACRONYMS = _vocabulary(
    """EU UN UK USA US COVID II III IV VI VII VIII IX XI CEO PDF HTML NGO NGOs ICT IT HR
    PhD MSc AM PM FAQ TV Q&A N/A OK EN FR DE ID"""
)

_WORD = r"[A-ZÀ-ÞŠŽČ][\w’'\-]*"
_CONNECTOR = r"(?:of|for|the|and|on|in|to|de|du|des|la|le|&|d’|d')"
#: A run of capitalised words, joined by connectors, inside which names are cut. Words
#: are one space apart: a wider gap, or a tab, is a column of the layout ("Ministry of
#: Justice      Fact sheet" in a PDF's running header), which no name crosses.
RUN = re.compile(rf"{_WORD}(?: (?:{_CONNECTOR} )*{_WORD})*")

CONTINENTS = _vocabulary("Europe Africa Asia America Americas Oceania Australasia Eurasia")
_COMPLEMENT = frozenset({"of", "for", "on", "in", "de", "du", "des", "to"})
#: Months and weekdays: "Cheshire Correctional Institution on Monday" ends at the head.
_MONTHS = frozenset(calendar.month_name[1:]) | frozenset(calendar.day_name)
#: Heads of a body's office in a place, named after the place ("Office in Yerevan").
_FIELD_OFFICES = frozenset(
    {"Office", "Presence", "Mission", "Representation", "Delegation", "Embassy", "Consulate"}
)
#: What a body is, set before its name: "the NGO Vision on Mission".
_KINDS = frozenset({"NGO", "NGOs"})
_LEFT_BRIDGES = frozenset({"and", "&", "in", "for", "on"})
_POSSESSIVE = re.compile(r"[’']s$")
#: Possessives of people that belong to a name ("Children's Fund", "Women's Prison"):
#: they say whom the body serves, not who owns it.
_PEOPLE_POSSESSIVES = frozenset(
    f"{noun}{mark}s" for noun in ("Women", "Men", "Children", "People") for mark in "'’"
)
#: Offices named after their holder ("Attorney General's Office", "Public Defender's
#: Office", "Queen's University"): the holder's possessive is a word of the name,
#: unlike a body's or a place's ("Europe's Committee", "Glasgow's ...").
_HOLDERS = _vocabulary(
    """Attorney Attorneys Prosecutor Prosecutors Defender Defenders Ombudsman General
    Auditor Advocate Solicitor Coroner Sheriff Registrar Comptroller Controller Majesty
    Queen King Prince Princess"""
)


def _names_holder(words: list[str], k: int) -> bool:
    """Whether the possessive ``words[k]`` is an office holder's or a saint's ("St
    Patrick's Institution"), so part of the name, not its owner."""
    if words[k] in _PEOPLE_POSSESSIVES or _POSSESSIVE.sub("", words[k]) in _HOLDERS:
        return True
    return k > 0 and words[k - 1] in ("St", "St.", "Saint")


def schwartz_hearst(acronym: str, long_form: str) -> int | None:
    """Start of the shortest tail of ``long_form`` whose letters spell ``acronym`` in order."""
    short = acronym.lower()
    long_ = long_form.lower()
    s = len(short) - 1
    index = len(long_) - 1
    while s >= 0:
        char = short[s]
        if not char.isalnum():
            s -= 1
            continue
        while index >= 0 and (
            long_[index] != char or (s == 0 and index > 0 and long_[index - 1].isalnum())
        ):
            index -= 1
        if index < 0:
            return None
        index -= 1
        s -= 1
    return index + 1


#: Heads that also modify other heads ("Prison Services", "Police Academy"): a
#: two-word conjunct opening with one may be part of a complement ("of
#: Probation and Prison Services"), not a new name.
_MODIFYING_HEADS = frozenset({"Prison", "Prisons", "Police", "Penitentiary", "Jail", "Government"})


def split_coordinated(
    words: list[str], starts_a_name: Callable[[str], bool] = lambda _w: False
) -> list[tuple[int, int]]:
    """Where "and" joins two names rather than two words of one name.

    "Dutch Probation Service and the Prosecutor's Office" and "Ministry of
    Justice of Ukraine and the State Institution" are two names ("and the"
    opens a new noun phrase); "Ministry of Justice and Public Security" (no
    head on the right) and "General Directorate of Probation and Prison
    Services" (the "and" joins the nouns of the complement) are one.
    ``starts_a_name`` tells a proper name that a complement does not coordinate
    (a country or its adjective: "... and Latvian Prison Administration",
    "Council of Europe and European Union").
    """
    parts: list[tuple[int, int]] = []
    lo = 0
    for i, word in enumerate(words):
        if word not in ("and", "&") or not any(w in ORG_HEADS for w in words[lo:i]):
            continue
        rest = words[i + 1 :]
        upto = next((n for n, w in enumerate(rest) if w in ("and", "&")), len(rest))
        right = rest[:upto]
        if not right:
            continue
        if right[0] == "the" and len(right) > 1:
            split = True
        elif any(w in ORG_HEADS for w in right):
            noun = right[: next((n for n, w in enumerate(right) if w in CONNECTORS), len(right))]
            head = next(n for n in range(lo, i) if words[n] in ORG_HEADS)
            in_complement = any(w in _COMPLEMENT for w in words[head:i])
            split = (
                (
                    words[i - 1] in ORG_HEADS
                    and not (in_complement and words[i - 1] in _MODIFYING_HEADS)
                )
                or words[i - 1] in CONTINENTS
                or (right[0] in ORG_HEADS and (right[0] not in _MODIFYING_HEADS or len(noun) > 2))
                or starts_a_name(right[0])
                or starts_a_name(words[i - 1])
            )
        else:
            split = len(right) == 1 and right[0].isupper()
        if split:
            parts.append((lo, i))
            lo = i + 1
    parts.append((lo, len(words)))
    return parts


def strip_possessive(name: str) -> str:
    """ "Council of Europe's" -> "Council of Europe"."""
    return _POSSESSIVE.sub("", name)


def trim_leading(run: str) -> str:
    words = run.split()
    while words and (words[0] in SENTENCE_STARTERS or words[0] in CONNECTORS):
        words = words[1:]
    return " ".join(words) if words else ""


#: Units that a ministry or a university has: "Alternative Sanctions Enforcement
#: Division of the Ministry of Justice" names two bodies, the unit and its owner.
_SUB_UNITS = frozenset({"Division", "Administration", "Unit", "Lab", "Laboratory", "School"})
_OWNERS = frozenset({"Ministry", "University"})


def _owner_cut(words: list[str]) -> int | None:
    """Where "of the" sets a named unit's owner after it ("Division of the Ministry of
    Justice", "Lab of the University of X"): the unit's name ends there, and the owner is
    a name of its own. A unit that is an institute or a centre keeps its owner in its
    name ("Institute of Higher Studies of the Ministry of the Interior")."""
    for i in range(1, len(words) - 2):
        if words[i] != "of" or words[i + 1] != "the":
            continue
        before = [w for w in words[:i] if w in ORG_HEADS]
        if not before or before[-1] not in _SUB_UNITS or words[i - 1] in CONNECTORS:
            continue
        owner = next((w for w in words[i + 2 :] if w in ORG_HEADS or w in CONNECTORS), None)
        if owner in _OWNERS:
            return i
    return None


def head_noun_span(words: list[str], is_place: Callable[[str], bool]) -> tuple[int, int] | None:
    """Where the organisation name lies in a run of capitalised words, or None.

    The name runs from the first head noun (widened left over its modifiers,
    "Latvian Prison Administration") to the last one, plus a complement ("of
    the Republic of Croatia", "on European Judicial Training") that stops
    before words naming a rule or an event. ``is_place`` tells a place name
    ("in Switzerland": where the body is, not part of its name).
    """
    cut = _owner_cut(words)
    if cut is not None:  # "Prison Administration [of the Croatian Ministry of Justice]"
        words = words[:cut]
    heads = [i for i, w in enumerate(words) if w in ORG_HEADS]
    if not heads:
        return None
    first = heads[0]
    owners = [k for k in range(first, heads[-1]) if _POSSESSIVE.search(words[k])]
    owner = next((k for k in owners if not _names_holder(words, k)), None)
    if owner is not None:  # "Council of Europe's Committee for ...": the owner is a name
        words = words[: owner + 1]  # of its own, and the unit after it another
        heads = [i for i in heads if i <= owner]
    # "Working Group on Prison and Probation": "Prison" closing a complement (or one of
    # its coordinated nouns) is a topic, not a head
    after_complement = next((i for i in range(first, len(words)) if words[i] in _COMPLEMENT), None)
    heads = [
        i
        for i in heads
        if not (
            after_complement is not None
            and after_complement < i
            and words[i] in _MODIFYING_HEADS
            and words[i + 1 : i + 2] in ([], ["and"], ["&"])
        )
    ]
    last = heads[-1]
    stop = next((i for i in range(last - 1, first, -1) if words[i] in STOP_TAIL), None)
    if stop is not None:  # "Prison Training Action Plan to the Ministry of Justice"
        inner = head_noun_span(words[stop + 1 :], is_place)
        return None if inner is None else (inner[0] + stop + 1, inner[1] + stop + 1)

    def where_or_when(k: int) -> bool:
        if words[k] not in ("in", "at", "on") or k + 1 >= len(words):
            return False
        rest = words[k + 2 :] if words[k + 1] == "the" else words[k + 1 :]  # "in the UK"
        return words[k + 1] in _MONTHS or (words[k] != "on" and is_place(" ".join(rest)))

    start = first
    while start > 0:
        before = words[start - 1]
        if (
            before in _LEFT_BRIDGES
            and start > 1
            and words[start - 2][:1].isupper()
            and words[start - 2] not in ROLE_WORDS
        ):
            start -= 2  # "Education and Training in Probation Expert Network"
            continue
        if (
            before == "of"
            and start > 1
            and is_place(" ".join(words[start - 2 : start + 1]))
            and not is_place(" ".join(words[start - 2 : start]))
        ):
            start -= 2  # "Port of Spain Prison": the place's whole name, not "Spain"
            continue
        if before in CONNECTORS or not before[:1].isupper():
            break
        if (
            _POSSESSIVE.search(before)
            and not _names_holder(words, start - 1)
            and not is_place(f"{before} {words[start]}")
        ):
            break  # "Europe's Committee ...", but "Women's ...", "Hawke's Bay Prison"
        start -= 1
    end = last + 1
    field_office = words[last] in _FIELD_OFFICES and words[end : end + 1] == ["in"]
    if field_office:  # "Council of Europe Office in Yerevan", "OSCE Presence in Albania"
        end = next((k for k in range(end + 1, len(words)) if words[k] in CONNECTORS), len(words))
    elif end < len(words) and words[end] == "in":
        pass  # "Kent Police in the United Kingdom": where the body is, not its name
    elif end < len(words) and words[end] in _COMPLEMENT and not where_or_when(end):
        j = end + 1
        while j < len(words) and words[j] in CONNECTORS:
            j += 1
        end = len(words)
        for k in range(j, len(words)):
            if (words[k] in STOP_TAIL and words[k - 1] != "Public") or where_or_when(k):
                # up to the first word of the last phrase: "Council of Europe [Probation
                # Rules]", "Ministry of Justice of Romania [Budget]"
                last_connector = max(i for i in range(j - 1, k) if words[i] in CONNECTORS)
                end = min(last_connector + 2, k) if words[k] in STOP_TAIL else k
                break
            if _POSSESSIVE.search(words[k]):  # "of Europe's committee": the name ends here
                end = k + 1
                break
    elif end < len(words) and words[end] not in CONNECTORS:
        return None  # the head qualifies what follows: "Police Practices", "Service Award"
    generic_start = start == first and words[first] in GENERIC
    if generic_start and end > first + 1 and words[first + 1] in CONNECTORS:
        return None  # "Services on the ICPA website", "Police in Crime Prevention"
    while start < end and (
        words[start] in SENTENCE_STARTERS or words[start] in CONNECTORS or words[start] in _KINDS
    ):
        start += 1
    while end > start and words[end - 1] in CONNECTORS:
        end -= 1
    chosen = words[start:end]
    if len(chosen) < 2 or any(w in ROLE_WORDS for w in chosen):
        return None
    if any(w in EVENT_HEADS for w in words[last:]):
        return None
    if all(w in GENERIC or w in CONNECTORS for w in chosen) and chosen[-1].endswith("s"):
        return None
    return start, end


# -- forms that say a name is no body, or where a name starts -----------------------

#: A funding instrument named like a body ("Norwegian Financial Mechanism"): a programme,
#: which the guidelines do not count as an organisation.
FUNDING_INSTRUMENT = re.compile(r"\bFinancial (?:Mechanism|Instrument|Facility)s?\b")


#: A word in capitals next to another, in one heading: not an acronym of its own.
_SHOUTED_WORD = re.compile(r"(?:(?<![\w-])[A-Z]{3,} $|^ [A-Z]{3,}(?![\w-]))")


#: "Shtip prison", "the Tzur unit": a proper name before a lowercase establishment head.
LOWERCASE_HEAD = re.compile(
    r"(?<![\w’'-])(?P<proper>(?:[A-Z][\w’'-]* ){0,3}[A-Z][\w’'-]*) (?:prison|jail|unit|"
    r"(?:penitentiary|detention|correctional|remand) cent(?:re|er)|borough)(?![\w-])"
    # "prison services", "prison staff": the head modifies a noun, it names no place
    r"(?! (?:services?|system|systems|staff|officers?|population|management|sector|"
    r"estate|regime|reform|workshops?|conditions|life|governors?)\b)"
)


#: Words in -ing that are nouns opening a body's name ("Training Institute", "Healing
#: Lodge"), not verbs naming an activity.
_ING_NOUNS = _vocabulary(
    """Training Building Buildings Housing Healing Learning Banking Nursing Policing Planning
    Counselling Counseling Engineering Marketing Broadcasting Publishing Consulting Rolling
    Missing Living Working"""
)


#: First words of a project's or a talk's title, never of a body's name.
_ACTIVITY_OPENERS = frozenset({"Towards", "Toward", "Beyond", "Against", "Tackling"})


def names_an_activity(words: list[str]) -> bool:
    """A name without a head noun that opens with a verb ("Preventing Radicalisation and
    Recruitment", "Designing Better Interventions") or "Towards" is the title of a
    project, a course or a talk: what someone does, not who does it."""
    first = words[0] if words else ""
    if first in _ACTIVITY_OPENERS:
        return True
    return len(first) > 5 and first.endswith("ing") and first not in _ING_NOUNS


def name_like(words: str) -> bool:
    """Two or more words, capitalised at both ends, with only short particles in lower
    case between ("Bord na Promhaidh", "Dienst Justitiële Inrichtingen")."""
    parts = words.split()
    return (
        len(parts) >= 2
        and parts[0][:1].isupper()
        and parts[-1][:1].isupper()
        and all(p[:1].isupper() or (p.isalpha() and len(p) <= 3) for p in parts)
    )


def shouted(text: str, start: int, end: int) -> bool:
    """Whether the capitals at ``start:end`` are one word of a heading set in capitals
    ("EUROPEAN UNION AGENCY FOR ..."), next to another such word, not an acronym."""
    return bool(_SHOUTED_WORD.search(text[max(0, start - 16) : start])) or bool(
        _SHOUTED_WORD.match(text, end)
    )


def opens_a_sentence(text: str, at: int) -> bool:
    """Whether ``at`` starts a line, a list item or a sentence (its capital proves nothing)."""
    before = text[max(0, at - 4) : at]
    return not before.strip(" \t") or bool(re.search(r"(?:[\n.!?:;|>#*•–\[(-]|^)[ \t]*$", before))


def opens_an_instrument(text: str, end: int) -> bool:
    """Whether the body's name only opens the name of a rule, an instrument or an event:
    "United Nations Standard Minimum Rules", "United Nations Congress on Crime
    Prevention". The capitalised words after it reach a word of :data:`STOP_TAIL`
    before any head noun, so the body is named as the author of the thing, not as an
    actor; where a head comes first ("Council of Europe Office in ..."), it is one."""
    if text[end : end + 1] != " ":
        return False
    run = RUN.match(text, end + 1)
    if run is None:
        return False
    for word in run.group(0).split():
        if word in ORG_HEADS:
            return False
        if word in STOP_TAIL:
            return True
    return False


def names_no_body(words: list[str]) -> bool:
    """A defined name ending in an instrument, a prize or people is no body, unless that
    word sits in the complement of a head ("Foundation for Humane Detention Standards")."""
    if words[-1] not in NON_BODY_TAILS:
        return False
    heads = [i for i, w in enumerate(words) if w in ORG_HEADS]
    return not heads or words[heads[-1] + 1] not in CONNECTORS


#: A British prison named as an establishment: "HMP Wandsworth", "HMYOI Feltham".
_HM_ESTABLISHMENT = re.compile(
    r"(?<![\w-])HM(?:P|YOI|P/YOI|P & YOI) [A-Z][a-z][\w’'-]*(?P<second> [A-Z][a-z][\w’'-]*)?"
)


def lowercase_head_spans(text: str) -> list[tuple[int, int]]:
    """An establishment named by a proper name and a lowercase head: "Shtip prison",
    "the Tzur unit", "La Esperanza detention centre". Not where the proper name is
    possessive ("Albania's prison"), words of the field ("European prison"), a role or
    an instrument, or the first word of a sentence or an item ("Training prison", where
    the capital is the sentence's). The caller rules out countries and their adjectives.
    A British prison's prefix makes a name too ("HMP Wandsworth")."""
    found: list[tuple[int, int]] = []
    for match in LOWERCASE_HEAD.finditer(text):
        words = match.group("proper").split()
        offsets = [match.start() + m.start() for m in re.finditer(r"\S+", match.group(0))]
        n = 0
        while n < len(words) and (words[n] in SENTENCE_STARTERS or words[n] in CONNECTORS):
            n += 1
        if n == len(words) or (n == 0 and opens_a_sentence(text, match.start())):
            continue
        if any(
            w in GENERIC or strip_possessive(w) != w or w in ROLE_WORDS or w in NON_BODY_TAILS
            for w in words[n:]
        ):
            continue
        found.append((offsets[n], match.end()))
    for match in _HM_ESTABLISHMENT.finditer(text):  # "HMP Five Wells", not "HMP X Governor"
        second = (match.group("second") or "").strip()
        cut = second in ROLE_WORDS or second in ORG_HEADS or second in NON_BODY_TAILS
        found.append((match.start(), match.start("second") if cut else match.end()))
    return found


# -- what the text says a name is ---------------------------------------------------

#: A name the text says a body acts on: "delivered by Phoenix Zululand".
CUED_BEFORE = re.compile(
    r"\b(?:delivered|run|founded|funded|provided|implemented|developed|organi[sz]ed|hosted)\s+by\s+"
    r"(?:the\s+)?(?P<name>(?-i:[A-Z][\w’'-]+)(?:[ \t]+(?-i:[A-Z][\w’'-]+)){1,4})"
)
_NAME_WORDS = r"(?-i:[A-Z][\w’'-]+)(?:[ \t]+(?-i:[A-Z][\w’'-]+)){0,5}"
#: A name set before an apposition that says what it is: "One Small Thing, the
#: organisation she leads", "Mediante and Arpège, two restorative justice services".
CUED_AFTER = re.compile(
    rf"(?P<name>{_NAME_WORDS})(?:[ \t]+and[ \t]+(?P<other>{_NAME_WORDS}))?,\s+"
    r"(?P<det>the|an?|two|three|both)\s+(?:[a-z-]+\s+){0,3}"
    r"(?:organi[sz]ations?|charit(?:y|ies)|NGOs?|associations?|foundations?|non-profits?|"
    r"social enterprises?|compan(?:y|ies)|(?<=justice )services|agenc(?:y|ies))\b"
)
