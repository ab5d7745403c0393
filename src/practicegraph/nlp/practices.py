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

from spacy.tokens import Span

PRACTICE_NOUNS = frozenset({
    "programme", "program", "platform", "tool", "toolkit", "kit", "workshop", "methodology",
    "method", "scheme", "approach", "project", "training", "guideline", "guidance", "survey",
    "mapping", "network", "forum", "model", "initiative", "intervention", "plan", "strategy",
    "mentoring", "mentor", "curriculum", "module", "course", "exchange", "award", "session",
    "code", "recommendation", "service", "system", "team", "group", "seminar", "meeting",
    "report", "paper", "counselling", "counseling", "policy", "partnership", "co-operation",
    "cooperation", "collaboration", "technique", "profile", "monitoring", "café", "cafe",
    "investigation", "resource", "campaign", "hearing", "class", "masterclass", "practice",
    "procedure", "assessment", "evaluation", "indicator", "database", "handbook", "manual",
    "video", "website", "portal", "mechanism", "framework", "committee", "contact", "advocacy",
    "financing", "funding", "incentive", "support", "report", "sheet", "presentation",
})
ACTION_LEMMAS = frozenset({
    "develop", "launch", "introduce", "create", "establish", "implement", "use", "apply", "run",
    "provide", "offer", "organise", "organize", "map", "initiate", "pilot", "build", "design",
    "present", "share", "promote", "adopt", "recommend", "engage", "co-operate", "cooperate",
    "participate", "train", "assist", "enable", "deliver", "publish", "connect", "circulate",
    "suggest", "identify", "work", "collaborate", "describe", "explain", "choose", "select",
    "produce", "help", "validate", "discuss", "support", "focus", "commit", "make", "ensure",
    "divide", "handle", "plan", "stimulate", "improve", "allow", "comply", "aim", "examine",
    "emphasise", "emphasize", "invest", "reduce", "follow", "fill", "include", "conduct",
})
_MODAL = re.compile(r"\b(?:will|should|must|shall|recommends?|recommended|recommendations?|"
                    r"aims? to|committed to|suggests?|proposes?|needs? to)\b", re.IGNORECASE)
_FEEDBACK = re.compile(r"^\s*(?:I|We)\b|\?\s*$|\b(?:click|download|read more|subscribe|cookie|"
                       r"password|log ?in|sign up|share this)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•\-*–·●▪]|\d+[.)])\s*")

THRESHOLD = 3.0


def score_sentence(sent: Span, org_in_sentence: bool) -> float:
    """How strongly a sentence describes a practice; THRESHOLD and above is kept."""
    text = sent.text.strip()
    words = [t for t in sent if t.is_alpha]
    if len(words) < 5 or len(words) > 90 or _FEEDBACK.search(text):
        return 0.0
    if not any(t.pos_ in ("VERB", "AUX") for t in sent) and not _BULLET.match(text):
        return 0.0
    lemmas = {t.lemma_.lower() for t in sent}
    nouns = sum(1 for t in sent if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in PRACTICE_NOUNS)
    actions = sum(1 for t in sent if t.pos_ == "VERB" and t.lemma_.lower() in ACTION_LEMMAS)
    score = min(nouns, 3) * 1.0 + min(actions, 3) * 0.8
    if org_in_sentence:
        score += 1.0
    if _MODAL.search(text):
        score += 0.8
    first = sent[0] if not _BULLET.match(text) else next((t for t in sent if t.is_alpha), sent[0])
    if first.tag_ == "VBG" or (_BULLET.match(text) and first.pos_ == "VERB"):
        score += 1.5  # "Creating a platform ...", the form of recommendation lists
    if "how" in lemmas and actions:
        score += 0.5
    if nouns == 0:
        score -= 1.5
    return score


def practice_label(sent: Span, max_words: int = 10) -> str:
    """A short label: the noun phrase around the sentence's practice noun."""
    for chunk in sent.noun_chunks:
        if chunk.root.lemma_.lower() in PRACTICE_NOUNS and chunk.root.pos_ == "NOUN":
            tokens = list(chunk)
            while tokens and tokens[0].pos_ in ("DET", "PRON"):
                tokens = tokens[1:]
            # extend with a following prepositional phrase ("platform for correctional staff")
            end = chunk.end
            right = sent.doc[end:min(sent.end, end + 6)]
            extension: list[str] = []
            if len(right) and right[0].dep_ == "prep" and right[0].head.i == chunk.root.i:
                for token in right:
                    if token.is_punct or (extension and token.dep_ in ("cc", "prep")):
                        break
                    extension.append(token.text)
            words = [t.text for t in tokens] + extension
            label = " ".join(words[:max_words]).strip()
            if len(label.split()) >= 2:
                return label[:1].upper() + label[1:]
    words = _BULLET.sub("", sent.text).split()
    label = " ".join(words[:max_words]).rstrip(";,.:")
    return label[:1].upper() + label[1:]


def select_practices(scored: Sequence[tuple[Span, float]], max_share: float = 0.5) -> list[tuple[Span, float]]:
    """The sentences above threshold, at most ``max_share`` of the document's sentences."""
    kept = [(s, v) for s, v in scored if v >= THRESHOLD]
    limit = max(1, int(len(scored) * max_share))
    if len(kept) > limit:
        kept = sorted(kept, key=lambda pair: -pair[1])[:limit]
        kept.sort(key=lambda pair: pair[0].start)
    return kept
