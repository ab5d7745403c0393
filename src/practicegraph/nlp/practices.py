"""Practices: sentences that describe a concrete method, programme, tool or arrangement.

A sentence is scored on what the annotation guidelines look for: a practice
noun (programme, platform, workshop, scheme, survey, tool kit...), an action
that puts it to work (develop, launch, introduce, use, map, co-operate,
recommend), an organisation acting, and the forward-looking or recommending
modality of declarations ("will initiate", "should be provided"). Generic
aims, feedback quotes, headings and navigation score low. The best sentence
is the evidence; its key noun phrase is the label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span, Token

# What a practice is: strong nouns name a method or arrangement by themselves,
# weak ones only help ("a session", "the report").
STRONG_NOUNS = frozenset(
    {
        "programme",
        "program",
        "platform",
        "tool",
        "toolkit",
        "kit",
        "scheme",
        "methodology",
        "method",
        "approach",
        "technique",
        "model",
        "initiative",
        "intervention",
        "curriculum",
        "module",
        "course",
        "mentoring",
        "mentor",
        "mentorship",
        "guideline",
        "guidance",
        "counselling",
        "counseling",
        "survey",
        "mapping",
        "network",
        "forum",
        "code",
        "mechanism",
        "plan",
        "strategy",
        "project",
        "training",
        "partnership",
        "cooperation",  # not "co-operation": lemmas are of tokens, split at hyphens
        "collaboration",
        "workshop",
        "café",
        "cafe",
        "team",
        "database",
        "handbook",
        "manual",
        "portal",
        "website",
        "framework",
        "investigation",
        "campaign",
        "incentive",
        "profile",
        "exchange",
        "advocacy",
        "financing",
        "monitoring",
        "assessment",
        "evaluation",
        "sharing",
    }
)
WEAK_NOUNS = frozenset(
    {
        "system",
        "service",
        "group",
        "seminar",
        "meeting",
        "session",
        "report",
        "paper",
        "policy",
        "recommendation",
        "award",
        "resource",
        "practice",
        "procedure",
        "indicator",
        "class",
        "masterclass",
        "hearing",
        "committee",
        "support",
        "sheet",
        "presentation",
        "video",
        "contact",
        "funding",
        "environment",
        "material",
        "activity",
        "solution",
        "role",
    }
)
PRACTICE_NOUNS = STRONG_NOUNS | WEAK_NOUNS
STRONG_ACTIONS = frozenset(
    {
        "develop",
        "launch",
        "introduce",
        "create",
        "establish",
        "implement",
        "pilot",
        "initiate",
        "design",
        "build",
        "run",
        "use",
        "apply",
        "map",
        "train",
        "mentor",
        "provide",
        "offer",
        "recommend",
        "adopt",
        "deliver",
        "organise",
        "organize",
        "connect",
        "engage",
        "cooperate",  # not "co-operate" (see "cooperation")
        "collaborate",
        "circulate",
        "publish",
        "share",
        "promote",
        "assist",
        "enable",
        "suggest",
        "handle",
        "validate",
        "identify",
        "select",
        "choose",
        "invest",
    }
)
WEAK_ACTIONS = frozenset(
    {
        "present",
        "participate",
        "work",
        "describe",
        "explain",
        "produce",
        "help",
        "discuss",
        "support",
        "focus",
        "commit",
        "make",
        "ensure",
        "divide",
        "plan",
        "stimulate",
        "improve",
        "allow",
        "comply",
        "aim",
        "examine",
        "emphasise",
        "emphasize",
        "reduce",
        "follow",
        "fill",
        "include",
        "conduct",
    }
)
ACTION_LEMMAS = STRONG_ACTIONS | WEAK_ACTIONS
_MODAL = re.compile(
    r"\b(?:will|should|must|shall|recommends?|recommended|recommendations?|"
    r"aims? to|committed to|suggests?|proposes?|needs? to)\b",
    re.IGNORECASE,
)
#: A participant's voice or a question: never a practice's description.
_FEEDBACK = re.compile(r"^\s*I\b|\?\s*$", re.IGNORECASE)
#: An organisation's own voice ("We train serving prisoners ..."): the rules do not score
#: it (it is as often a participant's "we"), but the classifier may.
_FIRST_PERSON = re.compile(r"^\s*We\b", re.IGNORECASE)
_NAVIGATION = re.compile(
    r"\b(?:click|download|read more|subscribe|cookie|password|log ?in|sign up|"
    r"share this|watch the video)\b",
    re.IGNORECASE,
)
_DATED = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{1,2})?\s+(?:January|February|March|April|"
    r"May|June|July|August|September|October|November|December)\b"
)
_ATTENDANCE = re.compile(
    r"\b(?:attended by|gathered|took part|participants? (?:were|was)|"
    r"delegates|welcomed)\b",
    re.IGNORECASE,
)
_META_SUBJECT = re.compile(
    r"^\s*(?:(?:Finally,\s+)?(?:the|this)\s+(?:document|section|report|chapter|paper|article)|It)\s+"
    r"(?:also\s+)?(?:provides|covers|looks|details|summari[sz]es|contains|highlights|gives)\b"
    r"|\boverview of\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•\-*–·●▪]|\d+[.)])\s*")

#: Chosen on the corpus's train split: practice F1 there 0.21 at 3.5, 0.33 at 2.0 (a plateau
#: from 1.0 to 2.0; the highest of those keeps the fewest records for the same F1). Used
#: when the pipeline has no trained classifier (another model set by the user).
THRESHOLD = 2.0
#: With the trained classifier, a sentence is kept when rule score + LEARNED_WEIGHT x the
#: classifier's probability reaches LEARNED_THRESHOLD. Chosen by tools/practice_tuning.py on
#: the quarter of the train split held out from the classifier's fitting (68 documents, 412
#: practices; never dev-test), with the classifier trained on the 272-document corpus:
#: document-level practice F1 there 0.41 by the rules alone, 0.59 combined (P 0.54, R 0.65).
#: The best pairs lie on a ridge where the threshold is half the weight (16/7 and 24/12
#: both 0.590, 16/8 0.584); of those with the same F1 this one keeps the fewest records.
LEARNED_WEIGHT = 24.0
LEARNED_THRESHOLD = 12.0


def combined_score(sent: Span, rule_score: float, probability: float | None) -> float:
    """The score a sentence is selected on, on the scale of :data:`LEARNED_THRESHOLD`
    when the classifier has scored it and of :data:`THRESHOLD` when not.

    A sentence that cannot describe a practice by its form (:func:`is_candidate`: a
    heading, a menu, a quote, a one-word line) scores 0 whatever the classifier says:
    the classifier reads pooled word vectors, and a heading made of a practice's
    words ("Work programmes") looks to it like a sentence about one."""
    if probability is None:
        return rule_score
    if not is_candidate(sent):
        return 0.0
    return rule_score + LEARNED_WEIGHT * probability


def is_candidate(sent: Span) -> bool:
    """Whether the sentence has the form of one that can describe a practice: enough
    words (three for a list item, five otherwise, at most 90), prose rather than a
    heading, menu or table row, a verb unless it is a list item, and no feedback quote."""
    text = sent.text.strip()
    words = sum(1 for t in sent if t.is_alpha)
    bullet = bool(_BULLET.match(text)) or text.endswith(";")
    if words < (3 if bullet else 5) or words > 90 or _FEEDBACK.search(text):
        return False
    if words < 15 and _NAVIGATION.search(text):
        return False
    if _not_prose(text, words, bullet):
        return False
    return bullet or any(t.pos_ in ("VERB", "AUX") for t in sent)


def score_sentence(sent: Span, org_spans: Sequence[tuple[int, int]] = ()) -> float:
    """How strongly a sentence describes a practice; THRESHOLD and above is kept."""
    text = sent.text.strip()
    if not is_candidate(sent) or _FIRST_PERSON.search(text):
        return 0.0
    bullet = bool(_BULLET.match(text)) or text.endswith(";")
    lemmas = {t.lemma_.lower() for t in sent}
    noun_lemmas = [t.lemma_.lower() for t in sent if t.pos_ in ("NOUN", "PROPN")]
    verb_lemmas = [t.lemma_.lower() for t in sent if t.pos_ == "VERB"]
    nouns = sum(1 for n in noun_lemmas if n in PRACTICE_NOUNS)
    actions = sum(1 for v in verb_lemmas if v in ACTION_LEMMAS)
    strong = sum(1 for n in noun_lemmas if n in STRONG_NOUNS)
    weak = nouns - strong
    score = min(strong, 3) * 1.2 + min(weak, 2) * 0.5
    score += min(sum(1 for v in verb_lemmas if v in STRONG_ACTIONS), 2) * 1.0
    score += min(sum(1 for v in verb_lemmas if v in WEAK_ACTIONS), 2) * 0.4
    in_sentence = [(a, b) for a, b in org_spans if sent.start_char <= a < sent.end_char]
    if in_sentence:
        score += 1.0
    if _MODAL.search(text):
        score += 0.8
    first = next((t for t in sent if t.is_alpha), sent[0])
    if first.tag_ == "VBG" or (bullet and first.pos_ == "VERB"):
        score += 1.5  # "Creating a platform ...", the form of recommendation lists
    if "how" in lemmas and actions:
        score += 0.5
    if nouns == 0:
        score -= 1.5
    if text.endswith(":"):
        score -= 2.0  # introduces a list rather than describing something
    if _DATED.search(text):
        score -= 1.0  # "on 25-26 May 2023 ... organised a conference" announces an event
    if _ATTENDANCE.search(text):
        score -= 1.0
    if _META_SUBJECT.search(text):
        score -= 1.5
    if any(
        t.dep_ in ("nsubj", "nsubjpass") and any(a <= t.idx < b for a, b in in_sentence)
        for t in sent
    ):
        score += 0.7  # an organisation acting: "CEP will initiate", "PTAC chooses"
    if not text[:1].isupper() and not bullet:
        score -= 1.0  # a fragment continuing the previous line
    return score


def _not_prose(text: str, words: int, bullet: bool) -> bool:
    """A heading, a table row or a menu, not a sentence that can describe a practice:
    short and unpunctuated ("Supporting local work in practice"), in capitals
    ("4. FOLLOW-UP: FURTHER SUPPORT"), or cut by column bars."""
    if text.count("|") >= 2:
        return True
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return True
    return not bullet and words < 12 and not text.rstrip().endswith((".", "!", "?", ";", ":"))


def practice_label(sent: Span, chunks: Sequence[Span] | None = None, max_words: int = 10) -> str:
    """A short label: the noun phrase around the sentence's practice noun.

    ``chunks`` are the sentence's noun chunks when the caller has them (taken once
    from the document's): spaCy's ``Span.noun_chunks`` walks the whole document's
    on every call.
    """
    if chunks is None:
        chunks = list(sent.noun_chunks)
    chunks = [c for c in chunks if c.root.pos_ == "NOUN" and sent.start <= c.start < sent.end]
    ranked = [c for c in chunks if c.root.lemma_.lower() in STRONG_NOUNS] + [
        c for c in chunks if c.root.lemma_.lower() in WEAK_NOUNS
    ]
    for chunk in ranked:
        label = _chunk_label(sent, chunk, max_words)
        if len(label.split()) >= 2:
            return label
    words = [t for t in sent if not (t.i == sent.start and _BULLET.match(t.text))]
    clause: list[Token] = []
    for token in words:
        if clause and (token.text in (",", ";", ":", "(", "–", "—") or _spaced_dash(token)):
            break  # the first clause, not a sentence cut mid-way
        clause.append(token)
    if (
        clause
        and clause[0].pos_ in ("PRON", "DET")
        and clause[0].dep_ in ("nsubj", "nsubjpass", "poss", "expl")
    ):
        # "It offers staff a shared language ...": a clause about something named before;
        # the sentence's own noun phrase names the practice better than its opening words.
        for chunk in chunks:
            if chunk.root.dep_ not in ("nsubj", "nsubjpass") or chunk.root.i != clause[0].i:
                label = _chunk_label(sent, chunk, max_words)
                if len(label.split()) >= 2:
                    return label
    return _span_label(clause[:max_words], cut=len(clause) > max_words)


def _chunk_label(sent: Span, chunk: Span, max_words: int) -> str:
    """A noun chunk without its determiner, with the prepositional phrase that follows it
    ("platform for correctional staff")."""
    tokens = list(chunk)
    while tokens and (tokens[0].pos_ in ("DET", "PRON") or tokens[0].is_punct):
        tokens = tokens[1:]
    end = chunk.end
    right = sent.doc[end : min(sent.end, end + 6)]
    continues = False
    if len(right) and right[0].dep_ == "prep" and right[0].head.i == chunk.root.i:
        for token in right:
            if token.is_punct or (token.i > right[0].i and token.dep_ in ("cc", "prep")):
                break
            if token.pos_ in ("VERB", "AUX") or token.tag_ in ("WDT", "WP", "WP$"):
                break  # "... for prison officers | who work with ...": a clause begins
            tokens.append(token)
        else:
            continues = right.end < sent.end  # the phrase runs on past the window
    return _span_label(tokens[:max_words], cut=continues or len(tokens) > max_words)


def _spaced_dash(token: Token) -> bool:
    """A hyphen written as a dash between spaces ("Managing My Substance Use - a programme")."""
    return (
        token.text == "-"
        and token.i > 0
        and bool(token.doc[token.i - 1].whitespace_)
        and bool(token.whitespace_)
    )


#: Parts of speech a label does not end on ("... for prison", "... took a").
_NO_END = frozenset({"ADP", "DET", "CCONJ", "SCONJ", "PRON", "PART", "AUX", "PUNCT"})


def _span_label(tokens: Sequence[Token], cut: bool = False) -> str:
    """The text the tokens cover, as written (never tokens joined with spaces: "E-learning"
    stays one word), without trailing function words, capitalised.

    ``cut``: the phrase runs on past these tokens (too long for a label); the label then
    ends on its last noun, name or number, not mid-clause ("... for prisoners who have")."""
    tokens = list(tokens)
    if cut:
        while tokens and tokens[-1].pos_ not in ("NOUN", "PROPN", "NUM"):
            tokens = tokens[:-1]
    while tokens and (tokens[-1].pos_ in _NO_END or tokens[-1].is_punct):
        tokens = tokens[:-1]
    while tokens and tokens[0].is_punct:
        tokens = tokens[1:]
    if not tokens:
        return ""
    # The span's own text (tokens keep their whitespace as written); Doc.text would
    # rebuild the whole document's text on every label.
    text = tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text
    label = " ".join(text.split())
    return label[:1].upper() + label[1:]


#: Words that open a sentence leaning on the one before ("It pairs each ...").
_LEANING_OPENERS = frozenset({"it", "this", "these", "they", "such", "its", "their"})


def practice_description(sent: Span, before: Sequence[Span]) -> str:
    """The practice's sentence, with the sentence it leans on to be understood: the
    lead-in of its list ("The package covers:") for a list item, the sentence before for
    one that opens on a pronoun ("It pairs each newcomer with ..."). ``before`` holds
    the document's sentences before ``sent``, nearest last; the evidence stays
    ``sent`` alone."""
    text = sent.text.strip()
    lead = ""
    if _BULLET.match(text) or text.endswith(";"):
        for previous in reversed(before[-12:]):
            candidate = previous.text.strip()
            if candidate.endswith(":"):
                lead = candidate
                break
            if not (_BULLET.match(candidate) or candidate.endswith(";")):
                break  # the list ended before its lead-in was found
    else:
        first = next((t for t in sent if t.is_alpha), None)
        if first is not None and first.lower_ in _LEANING_OPENERS and before:
            lead = before[-1].text.strip()
    return f"{' '.join(lead.split())} {text}" if lead else text


def select_practices(
    scored: Sequence[tuple[Span, float]], max_share: float = 0.5, threshold: float = THRESHOLD
) -> list[tuple[Span, float]]:
    """The sentences at or above ``threshold``, at most ``max_share`` of the document's
    sentences."""
    kept = [(s, v) for s, v in scored if v >= threshold]
    limit = max(1, int(len(scored) * max_share))
    if len(kept) > limit:
        kept = sorted(kept, key=lambda pair: -pair[1])[:limit]
        kept.sort(key=lambda pair: pair[0].start)
    return kept
