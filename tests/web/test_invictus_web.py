"""Every page and API route on real CloudTrail logs (../shared/datasets/invictus-aws: bert-jan builds
with Terraform, Stratus Red Team techniques run, benjamin uses Boto3 and the console)."""

from __future__ import annotations

import re

import pytest

from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.store import Store


@pytest.fixture(scope="module")
def store(invictus_db):
    with Store.open(invictus_db, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def terraform_instance(store):
    rows = search_events(store, EventFilter(event_name="RunInstances", tool="terraform", limit=10))
    created = [r for e in rows if not e["error_code"] for r in e["resources"] if r["action"] == "create"]
    assert created, "invictus-aws has Terraform RunInstances"
    return created[0]["id"]


def test_overview_of_the_real_logs(invictus_client):
    page = invictus_client.get("/")
    assert page.status_code == 200 and "2,900" in page.text
    data = invictus_client.get("/api/overview").json()
    assert data["span"]["events"] == 2900 and data["span"]["first"].startswith("2023-07-10T")
    assert {"terraform", "stratus-red-team"} <= {r["key"] for r in data["events_per_day_by_tool"]}
    assert "bert-jan" in {r["key"] for r in data["events_per_day_by_person"]}
    assert "bert-jan" in {g["key"] for g in data["cost_by_owner"]}


def test_event_history_filters_on_the_real_logs(invictus_client):
    body = invictus_client.get("/api/events?username=bert-jan&tool=terraform&read_only=false&limit=1000").json()
    assert body["count"]["exact"] and body["count"]["count"] == len(body["events"]) > 20
    assert {e["actor"]["human"] for e in body["events"]} == {"bert-jan"}
    page = invictus_client.get("/events?tool=stratus-red-team&error=true")
    assert page.status_code == 200
    rows = invictus_client.get("/api/events?tool=stratus-red-team&error=true&limit=1000").json()["events"]
    assert rows and all(e["error_code"] for e in rows)
    assert all(e["event_id"] in page.text for e in rows[:50])
    boto = invictus_client.get("/api/events?username=benjamin&text=boto3&limit=5").json()["events"]
    assert boto and all(e["actor"]["human"] == "benjamin" for e in boto)


def test_event_resource_and_person_pages_chain_together(invictus_client, store, terraform_instance):
    result = blame(store, terraform_instance)
    event_page = invictus_client.get(f"/events/{result['created']['event_id']}")
    assert event_page.status_code == 200
    assert f'href="/resources/{terraform_instance}?type=AWS%3A%3AEC2%3A%3AInstance"' in event_page.text
    resource_page = invictus_client.get(f"/resources/{terraform_instance}?type=AWS::EC2::Instance")
    assert resource_page.status_code == 200
    assert 'href="/people/bert-jan"' in resource_page.text and "terraform 1.1.2" in resource_page.text
    assert invictus_client.get(f"/api/resources/{result['resource']['arn']}").json()["created"]["event_id"] == \
        result["created"]["event_id"]
    assert '<span class="tag delete">deleted</span>' in resource_page.text  # the techniques terminated it
    person = invictus_client.get("/people/bert-jan")
    api = invictus_client.get("/api/people/bert-jan").json()
    assert person.status_code == 200 and api["humans"][0]["human"] == "bert-jan"
    assert {"terraform", "stratus-red-team"} <= {t["tool"] for t in api["tools"]}
    assert api["owned"]["resources"] and all(i["owner"] == "bert-jan" for i in api["owned"]["resources"])
    for item in api["owned"]["resources"]:
        assert f'href="/resources/{item["id"]}?type=' in person.text


def test_people_and_forgotten_on_the_real_logs(invictus_client):
    people = invictus_client.get("/api/people").json()
    assert {"bert-jan", "benjamin"} <= {p["human"] for p in people}
    index = invictus_client.get("/people")
    assert 'href="/people/benjamin"' in index.text
    forgotten = invictus_client.get("/forgotten?idle=1h")
    assert forgotten.status_code == 200
    assert invictus_client.get("/api/forgotten?idle=1h").json()["as_of"].startswith("2023-07-10T")


def test_raw_record_of_a_real_event_is_highlighted(invictus_client, store):
    event = search_events(store, EventFilter(event_name="CreateSecret", limit=1))[0]
    page = invictus_client.get(f"/events/{event['event_id']}").text
    raw = re.search(r'<pre class="highlight" id="raw-record">(.*?)</pre>', page, re.DOTALL).group(1)
    assert '<span class="nt">"eventSource"</span>' in raw and "secretsmanager.amazonaws.com" in raw
