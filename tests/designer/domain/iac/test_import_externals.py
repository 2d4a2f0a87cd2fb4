"""Resources of another stack: drawn as external nodes named after what names them, and joined with the resource
itself when the templates of the application are imported together."""

from __future__ import annotations

import pytest

from designer.domain.iac import from_template, from_templates
from designer.domain.iac.files import FileSet
from designer.domain.validate import validate


def edges(result):
    d = result.diagram
    return {(d.label(e.source), e.kind, d.label(e.target)) for e in d.edges}


def node(result, label):
    return next(n for n in result.diagram.nodes if n.label == label)


FN = "{Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x%s}}"


@pytest.mark.parametrize(
    ("bus", "label"),
    [
        ("!Ref OrdersBusName", "OrdersBusName"),
        ("!ImportValue OrdersBusName", "OrdersBusName"),
        ("!ImportValue {'Fn::Sub': '${Env}-OrdersBus'}", "${Env}-OrdersBus"),
        ("'{{resolve:ssm:/shop/orders-bus}}'", "/shop/orders-bus"),
        ("!FindInMap [Buses, prod, name]", "orders-prod"),
        ("arn:aws:events:us-east-1:123456789012:event-bus/orders", "orders"),
    ],
)
def test_a_rule_on_a_bus_of_another_stack_keeps_its_consumer_connected(bus, label):
    text = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  OrdersBusName: {{Type: String}}
  Env: {{Type: String, Default: prod}}
Mappings:
  Buses: {{prod: {{name: orders-prod}}}}
Resources:
  Handler: {FN % ""}
  OnOrder:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: {bus}
      EventPattern: {{source: [shop]}}
      Targets: [{{Id: h, Arn: !GetAtt Handler.Arn}}]
"""
    result = from_template(text)
    assert (label, "subscribe", "Handler") in edges(result)
    external = node(result, label)
    assert external.type == "eventbridge"
    assert "external" in external.tags
    assert any("outside this template" in n.note for n in result.notes)
    orphans = [f for f in validate(result.diagram).findings if f.rule == "orphan-node"]
    assert orphans == []  # the bus of another stack starts the flow


def test_an_external_queue_read_by_a_mapping_takes_its_type_from_the_event_source():
    text = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  JobsArn: {{Type: String}}
Resources:
  Worker: {FN % ", Events: {Jobs: {Type: SQS, Properties: {Queue: !Ref JobsArn}}}"}
"""
    result = from_template(text)
    assert ("JobsArn", "poll", "Worker") in edges(result)
    assert node(result, "JobsArn").type == "sqs"


def test_a_function_writing_to_a_table_of_another_stack_named_in_its_environment():
    text = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  OrdersTable: {{Type: String}}
Resources:
  Writer: {FN % ", Environment: {Variables: {TABLE: !Ref OrdersTable}}, Policies: [{DynamoDBCrudPolicy: {TableName: !Ref OrdersTable}}]"}
"""
    result = from_template(text)
    assert {("Writer", "read", "OrdersTable"), ("Writer", "write", "OrdersTable")} <= edges(result)
    assert node(result, "OrdersTable").type == "dynamodb"


def test_a_parameter_whose_type_cannot_be_told_is_left_out():
    text = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  Target: {{Type: String}}
Resources:
  Fn: {FN % ""}
  Rule:
    Type: AWS::Events::Rule
    Properties: {{EventPattern: {{source: [x]}}, Targets: [{{Id: t, Arn: !Ref Target}}]}}
"""
    result = from_template(text)
    assert "Target" not in {n.label for n in result.diagram.nodes}
    assert any("is not a resource of this template" in n.note for n in result.notes)


def test_the_region_and_account_of_an_arn_name_no_resource():
    text = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Region: {Type: String}
  Account: {Type: String}
  FunctionName: {Type: String}
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: !Sub "arn:aws:lambda:${Region}:${Account}:function:${FunctionName}"}
            End: true
"""
    result = from_template(text)
    assert edges(result) == {("Flow", "task", "FunctionName")}


PRODUCER = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
      Environment: {Variables: {BUS: !Ref Bus}}
      Policies: [{EventBridgePutEventsPolicy: {EventBusName: !Ref Bus}}]
      Events: {Web: {Type: Api, Properties: {Path: /orders, Method: post}}}
Outputs:
  BusArn:
    Value: !GetAtt Bus.Arn
    Export: {Name: !Sub "${AWS::StackName}-OrdersBusArn"}
"""
CONSUMER = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stack: {Type: String}
Resources:
  Billing:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
      Events:
        Orders:
          Type: EventBridgeRule
          Properties: {EventBusName: !ImportValue {'Fn::Sub': '${Stack}-OrdersBusArn'}, Pattern: {source: [shop]}}
"""
SHIPPING = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  BusName: {Type: String, Default: orders}
Resources:
  Shipping:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
      Events:
        Orders: {Type: EventBridgeRule, Properties: {EventBusName: !Ref BusName, Pattern: {source: [shop]}}}
"""


def test_templates_of_one_application_join_on_exports_and_names():
    result = from_templates([("orders.yaml", PRODUCER), ("billing.yaml", CONSUMER), ("shipping.yaml", SHIPPING)])
    assert {
        ("Publisher", "publish", "Bus"),
        ("Bus", "subscribe", "Billing"),
        ("Bus", "subscribe", "Shipping"),
    } <= edges(result)
    assert not [n for n in result.diagram.nodes if "external" in n.tags]
    report = validate(result.diagram)
    assert "choreography" in {m.id for m in report.patterns} or "fan-out" in {m.id for m in report.patterns}
    assert result.diagram.name.endswith("(+2 templates)")


def test_alone_each_template_draws_the_other_stacks_bus_as_external():
    result = from_template(CONSUMER)
    [external] = [n for n in result.diagram.nodes if "external" in n.tags]
    assert external.label == "${Stack}-OrdersBusArn"
    assert external.type == "eventbridge"


def test_the_default_bus_of_several_templates_is_one_node():
    one = """
Transform: AWS::Serverless-2016-10-31
Resources:
  A: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x, Events: {E: {Type: EventBridgeRule, Properties: {Pattern: {source: [a]}}}}}}
"""
    two = one.replace("A:", "B:").replace("[a]", "[b]")
    result = from_templates([("a.yaml", one), ("b.yaml", two)])
    buses = [n for n in result.diagram.nodes if n.type == "eventbridge"]
    assert len(buses) == 1
    assert {("DefaultEventBus", "subscribe", "A"), ("DefaultEventBus", "subscribe", "B")} <= edges(result)


def test_an_ssm_parameter_joins_two_templates():
    writer = """
Resources:
  Queue: {Type: AWS::SQS::Queue}
  QueueParam: {Type: AWS::SSM::Parameter, Properties: {Name: /shop/jobs, Type: String, Value: !GetAtt Queue.Arn}}
"""
    reader = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  JobsArn: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /shop/jobs}
Resources:
  Worker: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x, Events: {J: {Type: SQS, Properties: {Queue: !Ref JobsArn}}}}}
"""
    result = from_templates([("w.yaml", writer), ("r.yaml", reader)], files=FileSet({}))
    assert ("Queue", "poll", "Worker") in edges(result)
