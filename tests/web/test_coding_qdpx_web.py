"""The coding page's REFI-QDA project: downloaded with the wave's answers and their
respondents' attributes, the codebook, every person's codes and the last run's suggestions
(valid against the REFI-QDA Project 1.0 schema), and uploaded back after coding in a QDA
program, its codes then the reviewer's, in the agreement and the Findings."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from hrta.coding.codebook import theme_guid
from hrta.coding.qdpx import MACHINE_USER, SUGGESTED_GROUP
from hrta.web.coding import selectors
from hrta.web.coding.models import HumanCode
from hrta.web.coding.services import save_code
from hrta.web.staff.selectors import wave_findings
from hrta.web.surveys.models import AuditEntry
from tests.web.staffdata import add_response, post, signed_in, staff_user
from tests.web.test_coding_web import _run

SCHEMA = Path(__file__).parent.parent / "data" / "refi-qda" / "Project.xsd"
Q = "{urn:QDA-XML:project:1.0}"
ANSWERS = [
    ("We simply do not have the funding; grants ran out last year.", "ccbhc", "al"),
    ("Stigma from the community and from our own board.", "social_services", "ca"),
    ("Staff are burned out and we cannot hire enough people.", "ccbhc", "ct"),
    ("<b>Money</b> & training", "social_services", "co"),
]


def test_the_coding_page_downloads_a_project_with_people_codes(wave):
    responses = [add_response(wave, {"challenges": text, "org_type": org, "state": state})
                 for text, org, state in ANSWERS]
    client, user = signed_in("analyst")
    page = client.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    url = f"/staff/waves/{wave.slug}/coding/challenges/project.qdpx"
    assert f'href="{url}"' in page and "Download as a REFI-QDA project (.qdpx)" in page

    _run(client, wave)
    save_code(wave=wave, question="challenges", response=responses[1], user=user,
              themes=["stigma", "community_support"], primary=True, hide_quote=False)
    second = staff_user("analyst")
    save_code(wave=wave, question="challenges", response=responses[1], user=second,
              themes=["stigma"], primary=False, hide_quote=False)

    reply = client.get(url)
    assert reply.status_code == 200
    assert reply["Content-Disposition"] == \
        f'attachment; filename="{wave.slug}-challenges.qdpx"'
    archive = zipfile.ZipFile(io.BytesIO(reply.content))
    root = etree.fromstring(archive.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log

    sources = {s.get("name"): s for s in root.iter(f"{Q}TextSource")}
    keys = {r.pk: r.respondent_id or str(r.public_id) for r in responses}
    assert set(sources) == {f"challenges {keys[r.pk]}" for r in responses}
    markup = sources[f"challenges {keys[responses[3].pk]}"]
    inner = markup.get("plainTextPath").removeprefix("internal://")
    assert archive.read(f"Sources/{inner}").decode("utf-8") == "<b>Money</b> & training"

    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    assert set(users.values()) == {MACHINE_USER, user.username, second.username}
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}
    assert SUGGESTED_GROUP in names.values()
    stigma = sources[f"challenges {keys[responses[1].pk]}"]
    codings = {(users[c.get("creatingUser")], c.find(f"{Q}CodeRef").get("targetGUID"))
               for c in stigma.iter(f"{Q}Coding")}
    people = {(who, code) for who, code in codings if who != MACHINE_USER}
    assert people == {(user.username, theme_guid("challenges", "stigma")),
                      (user.username, theme_guid("challenges", "community_support")),
                      (second.username, theme_guid("challenges", "stigma"))}
    funding = sources[f"challenges {keys[responses[0].pk]}"]
    assert {(users[c.get("creatingUser")], names[c.find(f"{Q}CodeRef").get("targetGUID")])
            for c in funding.iter(f"{Q}Coding")} == {(MACHINE_USER,
                                                      "Inadequate funding (suggested)")}

    declared = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    case = next(c for c in root.iter(f"{Q}Case") if c.get("name") == keys[responses[0].pk])
    values = {declared[v.find(f"{Q}VariableRef").get("targetGUID")]: v.findtext(f"{Q}TextValue")
              for v in case.findall(f"{Q}VariableValue")}
    assert values["Organization type"] == \
        "Certified Community Behavioral Health Clinic (CCBHC)"
    assert (values["State"], values["Region"]) == ("Alabama", "south")

    entry = AuditEntry.objects.filter(action="download", wave_slug=wave.slug).latest("at")
    assert entry.detail == {"file": "challenges.qdpx"}


def test_the_project_download_needs_the_coding_role(wave):
    viewer, _user = signed_in("viewer")
    url = f"/staff/waves/{wave.slug}/coding/challenges/project.qdpx"
    assert viewer.get(url).status_code == 403
    analyst, _user = signed_in("analyst")
    assert analyst.get(f"/staff/waves/{wave.slug}/coding/nonsense/project.qdpx") \
        .status_code == 404


def _coded_elsewhere(data: bytes, codes: dict[str, list[str]], text: dict[str, str]) -> bytes:
    """The project as a QDA program saves it after a person, Maria, coded parts of some
    answers (`codes`: source name -> theme ids) or a text was changed (`text`)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(archive.read("project.qde"))
    maria = str(uuid.uuid4())
    etree.SubElement(root.find(f"{Q}Users"), f"{Q}User", guid=maria, name="Maria")
    sources = {s.get("name"): s for s in root.iter(f"{Q}TextSource")}
    for name, themes in codes.items():
        selection = etree.SubElement(sources[name], f"{Q}PlainTextSelection",
                                     guid=str(uuid.uuid4()), startPosition="0",
                                     endPosition="4", creatingUser=maria)
        for theme in themes:
            coding = etree.SubElement(selection, f"{Q}Coding", guid=str(uuid.uuid4()),
                                      creatingUser=maria)
            etree.SubElement(coding, f"{Q}CodeRef",
                             targetGUID=theme_guid("challenges", theme))
    files = {n: archive.read(n) for n in archive.namelist()}
    for name, changed in text.items():
        inner = sources[name].get("plainTextPath").removeprefix("internal://")
        files[f"Sources/{inner}"] = changed.encode("utf-8")
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as written:
        for name, body in files.items():
            written.writestr(name, body)
    return out.getvalue()


def test_codes_made_in_a_qda_program_come_back_as_the_reviewer_codes(wave):
    responses = [add_response(wave, {"challenges": text}) for text, _org, _state in ANSWERS]
    keys = [r.respondent_id or str(r.public_id) for r in responses]
    client, user = signed_in("analyst")
    _run(client, wave)
    base = f"/staff/waves/{wave.slug}/coding/challenges"
    data = client.get(f"{base}/project.qdpx").content
    page = client.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    assert f'action="{base}/import-qdpx/"' in page

    # Another wave's answer (a changed text): refused whole, nothing saved.
    wrong = _coded_elsewhere(data, {f"challenges {keys[0]}": ["staff_capacity"]},
                             {f"challenges {keys[1]}": "Something else entirely."})
    reply = post(client, f"{base}/import-qdpx/",
                 {"project": SimpleUploadedFile("wrong.qdpx", wrong)}, follow=True)
    text = reply.content.decode()
    assert "wrong.qdpx" in text and f"challenges {keys[1]}" in text
    assert "its text differs" in text
    assert not HumanCode.objects.filter(wave=wave).exists()

    coded = _coded_elsewhere(data, {f"challenges {keys[0]}": ["staff_capacity"],
                                    f"challenges {keys[2]}": ["staff_capacity", "funding"]},
                             {})
    reply = post(client, f"{base}/import-qdpx/",
                 {"project": SimpleUploadedFile("coded.qdpx", coded)}, follow=True)
    assert "Read the codes of 2 answers from coded.qdpx" in reply.content.decode()
    entry = AuditEntry.objects.filter(action="coding_qdpx_imported",
                                      wave_slug=wave.slug).get()
    assert entry.detail == {"question": "challenges", "file": "coded.qdpx", "coder": "Maria",
                            "answers": 2}
    saved = {c.response_id: (c.coder, c.primary, c.themes)
             for c in HumanCode.objects.filter(wave=wave)}
    assert saved == {responses[0].pk: (user, True, ["staff_capacity"]),
                     responses[2].pk: (user, True, ["funding", "staff_capacity"])}
    coding = wave_findings(wave).questions["challenges"].coding
    assert coding.confirmed == 2
    staff = next(t for t in coding.themes if t.id == "staff_capacity")
    assert staff.count >= 2
    agreement = selectors.agreement(wave, "challenges")
    assert agreement["reviewed"] == 2 and agreement["coders"] == [user.username]
    assert agreement["machine_vs_reviewer"]["answers"] == 2
