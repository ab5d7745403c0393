from practicegraph.nlp.extractor import Extractor


def theme_ids(extractor: Extractor, text: str, title: str | None = None) -> set[str]:
    return {t.theme_id for t in extractor(text, title).themes}


def test_a_passing_word_is_not_a_theme(nlp_extractor: Extractor) -> None:
    text = (
        "The directors met in Vienna to discuss staff shortages and the recruitment of new "
        "officers. Recruitment campaigns and retention bonuses were compared. One speaker "
        "mentioned radicalisation."
    )
    found = theme_ids(nlp_extractor, text)
    assert "recruitment-retention" in found
    assert "radicalisation" not in found


def test_theme_in_the_title_and_body_counts(nlp_extractor: Extractor) -> None:
    title = "Expert Workshop on Radicalisation and Probation"
    text = title + "\n\nParticipants compared approaches to violent extremism in probation work."
    assert "radicalisation" in theme_ids(nlp_extractor, text, title)


def test_american_spelling_matches_the_british_theme(nlp_extractor: Extractor) -> None:
    text = (
        "Radicalization in prisons is growing. Programs against radicalization and violent "
        "extremism were presented."
    )
    assert "radicalisation" in theme_ids(nlp_extractor, text)


def test_recommendation_list_items_are_practices_with_evidence(nlp_extractor: Extractor) -> None:
    text = (
        "ICPA asked the heads of services what would help them:\n\n"
        "  • Creating a platform for exchanging ideas, best practices;\n"
        "  • Creating a forum for Heads of Services on the ICPA website;\n\n"
        "I enjoyed the meeting and found it very useful.\n"
    )
    extraction = nlp_extractor(text)
    quotes = [p.evidence.text for p in extraction.practices]
    assert any(q.startswith("Creating a platform") for q in quotes)
    assert not any(q.startswith("I enjoyed") for q in quotes)
    for practice in extraction.practices:
        assert text[practice.evidence.start : practice.evidence.end] == practice.evidence.text
        assert practice.label and practice.description
        assert "icpa" in practice.providers


def test_organisation_developing_a_tool_is_a_practice(nlp_extractor: Extractor) -> None:
    text = (
        "The weather was fine. The project partners, coordinated by the Lithuanian partner "
        "BETI, have developed an online learning platform for correctional staff that "
        "supports career progression and lifelong learning."
    )
    (practice,) = nlp_extractor(text).practices
    assert "platform" in practice.label.lower()
    assert "LT" in practice.countries
    assert "staff-training" in practice.themes or "digital-technology" in practice.themes


def test_worker_processes_extract_the_same(nlp_extractor: Extractor) -> None:
    from practicegraph.nlp.extractor import ExtractionInput

    texts = [
        "The Confederation of European Probation (CEP) met in Agen, France, on 26-27 March 2025.",
        "Creating a platform for exchanging ideas, best practices;\nOffering more leadership "
        "training;",
    ]
    items = [ExtractionInput(t) for t in texts]
    alone = list(nlp_extractor.pipe(items, n_process=1))
    workers = list(nlp_extractor.pipe(items, n_process=2))
    assert alone == workers
