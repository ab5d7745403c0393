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
    Mechanism Ombudsman Laboratory Lab Presence Delegation"""
) | {"Programme Office"}
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
    Ms"""
)
#: Capitalised words that open a sentence or a phrase and never a name.
SENTENCE_STARTERS = _vocabulary(
    """The A An This These That Also In On At For By With From As And Its Their Our His
    Her Each Every All Both Several Many Some During Within After Before Throughout Under
    Over When While Through Since Following Colleagues Representatives Participants
    Partners Today Yesterday Last Next Then Thus However"""
)
#: The common vocabulary of the field: a name made of these alone is a description.
GENERIC = _vocabulary(
    """Correctional Prison Prisons Probation Penitentiary Police Public Social Health
    Security Justice Criminal National Local Regional Services Service Institutions
    Authorities Agencies Organisations Organizations Networks Unions European
    International Partner Departments Offices Ministries Group Groups Working Expert
    Network"""
)
CONNECTORS = _vocabulary("of for the and on in de du des la le & to d'") | {"for the", "of the"}
#: All-caps tokens that are not organisations in this field's texts.
NON_ORG_ACRONYMS = _vocabulary(
    """EU UN UK USA US COVID II III IV VI VII VIII IX XI CEO PDF HTML NGO NGOs ICT IT HR
    PhD MSc AM PM FAQ TV Q&A N/A OK EN FR DE ID"""
)

_WORD = r"[A-ZÀ-ÞŠŽČ][\w’'\-]*"
_CONNECTOR = r"(?:of|for|the|and|on|in|to|de|du|des|la|le|&|d’|d')"
#: A run of capitalised words, joined by connectors, inside which names are cut.
RUN = re.compile(rf"{_WORD}(?:[ \t]+(?:{_CONNECTOR}[ \t]+)*{_WORD})*")

CONTINENTS = _vocabulary("Europe Africa Asia America Americas Oceania Australasia Eurasia")
_COMPLEMENT = frozenset({"of", "for", "on", "in", "de", "du", "des", "to"})
_MONTHS = frozenset(calendar.month_name[1:])
#: Heads of a body's office in a place, named after the place ("Office in Yerevan").
_FIELD_OFFICES = frozenset({"Office", "Presence", "Mission", "Representation", "Delegation"})
_LEFT_BRIDGES = frozenset({"and", "&", "in", "for", "on"})
_POSSESSIVE = re.compile(r"[’']s$")


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


def head_noun_span(words: list[str], is_place: Callable[[str], bool]) -> tuple[int, int] | None:
    """Where the organisation name lies in a run of capitalised words, or None.

    The name runs from the first head noun (widened left over its modifiers,
    "Latvian Prison Administration") to the last one, plus a complement ("of
    the Republic of Croatia", "on European Judicial Training") that stops
    before words naming a rule or an event. ``is_place`` tells a place name
    ("in Switzerland": where the body is, not part of its name).
    """
    heads = [i for i, w in enumerate(words) if w in ORG_HEADS]
    if not heads:
        return None
    first = heads[0]
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
        if words[k] not in ("in", "at") or k + 1 >= len(words):
            return False
        return words[k + 1] in _MONTHS or is_place(" ".join(words[k + 1 :]))

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
        if before in CONNECTORS or not before[:1].isupper() or _POSSESSIVE.search(before):
            break
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
            if words[k] in STOP_TAIL or where_or_when(k):
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
    while start < end and (words[start] in SENTENCE_STARTERS or words[start] in CONNECTORS):
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
