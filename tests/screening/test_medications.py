"""Medication names: normalisation (spec §5.7) and the versioned catalogue."""

from __future__ import annotations

import json

import pytest

from screening.engine import CATALOGUE_VERSION, match_medication, normalise_name
from screening.engine.medications import CATALOGUE, CATALOGUE_PATH, STOP_WORDS, load_catalogue


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        # Every example of spec §5.7.
        ("Sertraline 50 mg tablet", ("sertraline",)),
        ("Adderall XR 20 mg", ("adderall",)),
        ("bupropion HCl XL 300mg", ("bupropion",)),
        ("Zoloft (sertraline)", ("zoloft",)),
        ("sertraline 50 mg/day", ("sertraline",)),
        ("hydrocodone/acetaminophen 5/325", ("hydrocodone", "acetaminophen")),
        ("amlodipine 5 mg + tramadol 50 mg", ("amlodipine", "tramadol")),
        ("sodium oxybate", ("sodium oxybate",)),
        # Further consequences of the same text.
        ("mixed amphetamine salts", ("mixed amphetamine salts",)),
        ("Ethinyl Estradiol", ("ethinyl estradiol",)),
        ("Zoloft [sertraline] 50 mg", ("zoloft",)),
        ("Zoloft (generic (sertraline))", ("zoloft",)),
        ("metoprolol succinate ER 25 mg", ("metoprolol",)),
        ("Lexapro, 10 mg, daily", ("lexapro",)),
        ("Lexapro,10mg", ("lexapro",)),
        ("quetiapine qhs", ("quetiapine",)),
        ("Xanax 1mg", ("xanax",)),
        ("levothyroxine 75 mcg", ("levothyroxine",)),
        ("vitamin D 1000 IU", ("vitamin d",)),
        ("insulin glargine 20 units", ("insulin glargine",)),
        ("ethinyl estradiol / norethindrone", ("ethinyl estradiol", "norethindrone")),
        ("oxycodone + acetaminophen", ("oxycodone", "acetaminophen")),
        ("sertraline +", ("sertraline",)),
        ("ER metoprolol", ("er metoprolol",)),  # the first word is always kept
        ("50 mg", ("50",)),
        ("(unlabelled)", ()),
        ("  Sertraline\t50mg ", ("sertraline",)),
        ("fentanyl 25 \u00b5g patch", ("fentanyl",)),
        ("Theophylline 300 mg ER", ("theophylline",)),
    ],
)
def test_normalisation(name, parts):
    assert normalise_name(name) == parts


@pytest.mark.parametrize("word", sorted(STOP_WORDS))
def test_every_stop_word_ends_the_name_after_the_first_word(word):
    assert normalise_name(f"sertraline {word} extra") == ("sertraline",)
    assert normalise_name(f"sertraline {word.upper()} extra") == ("sertraline",)


def test_salts_is_not_a_stop_word():
    assert normalise_name("amphetamine salts 10 mg") == ("amphetamine salts",)


def test_match_gives_every_part_with_its_class_and_whether_it_is_known():
    assert match_medication("hydrocodone/Zorblatex 5/325") == [
        ("hydrocodone", "cns_depressant", True),
        ("zorblatex", None, False),
    ]
    assert match_medication("Sertraline 100 mg") == [("sertraline", None, True)]
    assert match_medication("(unlabelled)") == []


def test_matching_is_exact_never_by_similarity():
    assert match_medication("sertralin") == [("sertralin", None, False)]
    assert match_medication("xanaxx") == [("xanaxx", None, False)]


# Every drug named in spec §5.7, generic and brand, in its class.
SPEC_CLASSES = {
    "maoi": "phenelzine nardil tranylcypromine parnate isocarboxazid marplan selegiline emsam eldepryl zelapar "
    "rasagiline azilect safinamide xadago moclobemide linezolid zyvox",
    "psychostimulant": "amphetamine adzenys evekeo dextroamphetamine dexedrine zenzedi adderall lisdexamfetamine "
    "vyvanse methamphetamine desoxyn methylphenidate ritalin concerta dexmethylphenidate focalin modafinil "
    "provigil armodafinil nuvigil solriamfetol sunosi",
    "cns_depressant": "alprazolam xanax clonazepam klonopin lorazepam ativan diazepam valium chlordiazepoxide "
    "librium temazepam restoril oxazepam clorazepate tranxene triazolam halcion zolpidem ambien eszopiclone "
    "lunesta zaleplon sonata oxycodone oxycontin percocet hydrocodone norco vicodin morphine hydromorphone "
    "dilaudid fentanyl codeine tramadol ultram tapentadol nucynta methadone buprenorphine suboxone subutex "
    "oxymorphone phenobarbital butalbital fioricet gabapentin neurontin pregabalin lyrica diphenhydramine "
    "benadryl hydroxyzine vistaril atarax doxylamine unisom promethazine phenergan carisoprodol soma",
    "lamotrigine": "lamotrigine lamictal",
    "sympathomimetic": "pseudoephedrine sudafed phenylephrine ephedrine",
    "cyp3a4_2b6_modulator": "clarithromycin biaxin ketoconazole itraconazole sporanox ritonavir norvir rifampin "
    "rifadin carbamazepine tegretol ticlopidine",
    "theophylline": "theophylline theo-24 uniphyl aminophylline",
}
SPEC_NAMES = [(name, drug_class) for drug_class, names in SPEC_CLASSES.items() for name in names.split()]
SPEC_NAMES.append(("mixed amphetamine salts", "psychostimulant"))


@pytest.mark.parametrize(("name", "drug_class"), SPEC_NAMES, ids=[name for name, _ in SPEC_NAMES])
def test_every_drug_named_in_the_spec_is_in_its_class(name, drug_class):
    assert match_medication(name) == [(name, drug_class, True)]
    assert match_medication(name.title() + " 10 mg") == [(name, drug_class, True)]


def words(text: str) -> list[str]:
    return text.split()


COMMON_UNCLASSED = words(
    "sertraline zoloft escitalopram lexapro fluoxetine prozac bupropion wellbutrin venlafaxine effexor duloxetine "
    "cymbalta mirtazapine remeron trazodone quetiapine seroquel aripiprazole abilify lithium valproate depakote "
    "amlodipine norvasc lisinopril losartan metoprolol atorvastatin lipitor metformin levothyroxine synthroid "
    "omeprazole prilosec pantoprazole acetaminophen tylenol ibuprofen advil motrin naproxen norethindrone "
    "levonorgestrel citalopram paroxetine olanzapine risperidone lurasidone divalproex topiramate propranolol "
    "clonidine hydrochlorothiazide simvastatin aspirin glipizide semaglutide famotidine celecoxib meloxicam"
) + ["ethinyl estradiol", "lithium carbonate", "valproic acid"]


@pytest.mark.parametrize("name", COMMON_UNCLASSED)
def test_common_drugs_with_no_class_are_known(name):
    assert match_medication(name) == [(name, None, True)]


def test_the_catalogue_knows_a_generous_list_of_names():
    assert len(CATALOGUE.classes) >= 300
    assert sum(1 for drug_class in CATALOGUE.classes.values() if drug_class is None) >= 150


def test_the_catalogue_file_is_versioned_and_every_entry_has_a_source():
    data = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert data["version"] == CATALOGUE_VERSION and CATALOGUE_VERSION
    assert data["ruleset"] == "2026.1"
    for entry in data["drugs"]:
        assert entry["source"].strip(), entry
        assert entry["names"], entry


def test_every_catalogue_name_is_stored_normalised():
    for name in CATALOGUE.classes:
        assert normalise_name(name) == (name,)


def test_a_catalogue_with_a_name_in_two_classes_is_refused(tmp_path):
    bad = {"version": "x", "drugs": [
        {"generic": "a", "names": ["a"], "class": "maoi", "source": "s"},
        {"generic": "b", "names": ["a"], "class": None, "source": "s"},
    ]}  # fmt: skip
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="two classes"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"generic": "a", "names": ["a"], "class": "stimulant", "source": "s"}, "unknown class"),
        ({"generic": "a", "names": ["a"], "class": None, "source": ""}, "no source"),
        ({"generic": "a", "names": ["Zoloft 50 mg"], "class": None, "source": "s"}, "not a normalised name"),
    ],
)
def test_a_malformed_catalogue_is_refused(tmp_path, entry, words):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"version": "x", "drugs": [entry]}), encoding="utf-8")
    with pytest.raises(ValueError, match=words):
        load_catalogue(path)


def test_etodolac_is_a_known_pain_drug_with_no_interaction_class():
    from screening.engine import match_medication

    assert match_medication("Etodolac 400 mg tablet") == [("etodolac", None, True)]
