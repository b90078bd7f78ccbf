"""The fallback for creation events no catalog rule covers, and what `catalog --inferred` reports."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.normalize.inferred import infer_creation
from cloudblame.normalize.record import normalize_record


def _rec(name, source, request=None, response=None, **extra):
    return {"eventID": f"e-{name}", "eventTime": "2025-01-01T00:00:00Z", "eventSource": source, "eventName": name,
            "awsRegion": "us-east-1", "recipientAccountId": "111122223333", "requestParameters": request,
            "responseElements": response, **extra}


def test_id_from_response_arn_id_or_request_name():
    wrapped = _rec("CreateCarrierGateway", "ec2.amazonaws.com", None,
                   {"CreateCarrierGatewayResponse": {"carrierGateway": {"carrierGatewayId": "cagw-0123"}}})
    ref = infer_creation(wrapped, account="111122223333", region="us-east-1")
    assert (ref.resource_id, ref.resource_type, ref.action, ref.via) == ("cagw-0123", "AWS::EC2::CarrierGateway",
                                                                          "create", "inferred")
    by_arn = _rec("CreateWidget", "acme-svc.amazonaws.com", {"widgetName": "w1"},
                  {"widget": {"widgetArn": "arn:aws:acme:us-east-1:111122223333:widget/w1"}})
    ref = infer_creation(by_arn, account=None, region=None)
    assert (ref.resource_id, ref.arn, ref.name, ref.resource_type) == (
        "w1", "arn:aws:acme:us-east-1:111122223333:widget/w1", "w1", "AWS::AcmeSvc::Widget")
    by_name = _rec("RegisterGadget20240101", "gadgets.amazonaws.com", {"gadgetName": "g"}, None)
    assert infer_creation(by_name, account=None, region=None).resource_id == "g"


def test_not_for_failures_non_creations_or_names_without_ids():
    assert infer_creation(_rec("CreateWidget", "x.amazonaws.com", {"widgetName": "w"}, None,
                               errorCode="AccessDenied"), account=None, region=None) is None
    assert infer_creation(_rec("DescribeWidget", "x.amazonaws.com", {"widgetName": "w"}), account=None, region=None) is None
    assert infer_creation(_rec("CreateWidget", "x.amazonaws.com", {"size": 3}, {"ok": True}), account=None,
                          region=None) is None
    assert infer_creation(_rec("PutMetricData", "monitoring.amazonaws.com", {"namespace": "n"}), account=None,
                          region=None) is None


def test_catalogued_events_never_use_the_fallback():
    run = _rec("RunInstances", "ec2.amazonaws.com", {"instanceType": "t3.micro"}, {"reservationId": "r-1"})
    assert [r["via"] for r in normalize_record(run).resources if r["action"] == "create"] == []
    other = _rec("CreateWidget", "acme.amazonaws.com", {"widgetName": "w"}, {"widgetId": "wid-1"})
    assert [(r["resource_id"], r["via"]) for r in normalize_record(other).resources] == [("wid-1", "inferred")]


def test_catalog_command_lists_rules_and_inferred_events(tmp_path):
    runner = CliRunner()
    rules = json.loads(runner.invoke(app, ["catalog", "--event-source", "ec2", "--action", "create", "-f", "json"]).stdout)
    assert {"event_source": "ec2.amazonaws.com", "event_name": "RunInstances", "resource_type": "AWS::EC2::Instance",
            "action": "create"}.items() <= next(r for r in rules if r["event_name"] == "RunInstances").items()
    assert all(r["action"] == "create" and r["event_source"] == "ec2.amazonaws.com" for r in rules)
    (tmp_path / "in.json").write_text(json.dumps({"Records": [
        _rec("CreateWidget", "acme.amazonaws.com", {"widgetName": "w"}, {"widgetId": "wid-1"}),
        dict(_rec("CreateWidget", "acme.amazonaws.com", {"widgetName": "v"}, {"widgetId": "wid-2"}), eventID="e-2")]}))
    db = str(tmp_path / "s-store")
    assert runner.invoke(app, ["ingest", str(tmp_path / "in.json"), "--db", db]).exit_code == 0
    inferred = json.loads(runner.invoke(app, ["catalog", "--inferred", "--db", db, "-f", "json"]).stdout)
    assert [(r["event_source"], r["event_name"], r["inferred_type"], r["events"]) for r in inferred] == [
        ("acme.amazonaws.com", "CreateWidget", "AWS::Acme::Widget", 2)]


def test_same_event_id_twice_in_a_batch_keeps_only_the_first_records_resources(tmp_path):
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store import Store

    a = _rec("CreateWidget", "acme.amazonaws.com", {"widgetName": "w"}, {"widgetId": "wid-1"})
    b = dict(_rec("CreateGizmo", "acme.amazonaws.com", {"gizmoName": "g"}, {"gizmoId": "giz-1"}), eventID=a["eventID"])
    (tmp_path / "in.json").write_text(json.dumps({"Records": [a, b]}))
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_paths(store, [str(tmp_path / "in.json")])
        assert (s.new, s.duplicates) == (1, 1)
        assert store.query("SELECT resource_id FROM event_resources") == [{"resource_id": "wid-1"}]
