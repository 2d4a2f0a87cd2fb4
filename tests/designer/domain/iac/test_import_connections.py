"""Connections a template implies without drawing them: what a workflow's activity and Pass states mean, who resumes
a waiting execution, private integrations, authorizers of nested stacks, databases reached over the network, and
names kept in mappings."""

from __future__ import annotations

import json

from designer.domain.iac import from_template, from_templates
from designer.domain.iac.files import FileSet

FN = "{Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x%s}}"


def imported(text: str, **files: str):
    body = "Transform: AWS::Serverless-2016-10-31\n" + text
    if not files:
        return from_template(body)
    return from_template(body.encode(), files=FileSet({k: v.encode() for k, v in files.items()}), path="template.yaml")


def edges(result) -> set[tuple[str, str, str]]:
    d = result.diagram
    return {(d.label(e.source), e.kind, d.label(e.target)) for e in d.edges}


def machine(definition: dict, substitutions: str = "{}", extra: str = "") -> str:
    return f"""
Parameters:
  WorkerActivityArn:
    Type: String
    AllowedPattern: "^arn:aws:states:[a-z0-9-]+:\\\\d+:activity:[A-Za-z0-9-_]+$"
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {json.dumps(definition)}
      DefinitionSubstitutions: {substitutions}
{extra}"""


# ------------------------------------------------------------------------------------------------ workflows


def test_an_activity_task_is_polled_by_workers_not_a_function_the_workflow_calls():
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {"Type": "Task", "Resource": "${Activity}", "Next": "Literal"},
            "Literal": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:pack", "End": True},
        },
    }
    result = imported(machine(definition, "{Activity: !Ref WorkerActivityArn}"))
    assert edges(result) == set()
    assert {n.type for n in result.diagram.nodes} == {"sfn-standard"}  # no external "function" invented
    notes = " ".join(n.note for n in result.notes)
    assert "state 'Approve' is an activity task" in notes
    assert "state 'Literal' is an activity task" in notes


def test_an_activity_resource_of_the_template_is_an_activity_too():
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Task", "Resource": "${A}", "End": True}}}
    extra = "  Work: {Type: AWS::StepFunctions::Activity, Properties: {Name: work}}"
    result = imported(machine(definition, "{A: !Ref Work}", extra))
    assert edges(result) == set()
    assert any("state 'Wait' is an activity task" in n.note for n in result.notes)


def test_a_name_a_pass_state_hands_on_through_a_substitution_is_the_later_tasks_target():
    definition = {
        "StartAt": "Where",
        "States": {
            "Where": {"Type": "Pass", "Parameters": {"Bucket": "${OutputBucketName}"}, "Next": "Read"},
            "Read": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
                "End": True,
            },
        },
    }
    extra = "  Output: {Type: AWS::S3::Bucket}\n  Other: {Type: AWS::S3::Bucket}"
    result = imported(machine(definition, "{OutputBucketName: !Ref Output}", extra))
    assert ("Flow", "task", "Output") in edges(result)
    assert ("Flow", "task", "Other") not in edges(result)


WAITING = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "${Q}", "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 3600,
            "End": True,
        }
    },
}


def callback_fn(resource: str) -> str:
    statement = f"{{Effect: Allow, Action: [states:SendTaskSuccess, states:SendTaskFailure], Resource: {resource}}}"
    return FN % f", Policies: [{{Statement: [{statement}]}}]"


def test_a_function_allowed_to_send_the_task_token_back_resumes_that_workflow():
    extra = f"  Asks: {{Type: AWS::SQS::Queue}}\n  Answer: {callback_fn('!Ref Flow')}"
    result = imported(machine(WAITING, "{Q: !Ref Asks}", extra))
    assert ("Answer", "invoke-async", "Flow") in edges(result)
    answer = next(e for e in result.diagram.edges if e.kind == "invoke-async")
    assert answer.attr("callback") is True


def test_on_every_resource_the_callback_resumes_the_one_workflow_that_waits_and_no_other():
    extra = f"  Asks: {{Type: AWS::SQS::Queue}}\n  Answer: {callback_fn(repr('*'))}"
    one = imported(machine(WAITING, "{Q: !Ref Asks}", extra))
    assert ("Answer", "invoke-async", "Flow") in edges(one)
    second = f"""
  Flow2:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {json.dumps(WAITING)}
      DefinitionSubstitutions: {{Q: !Ref Asks}}"""
    two = imported(machine(WAITING, "{Q: !Ref Asks}", extra + second))
    assert not {e for e in edges(two) if e[0] == "Answer"}  # which one it resumes cannot be told


def test_a_function_that_starts_and_resumes_a_workflow_draws_one_start():
    statement = "{Effect: Allow, Action: [states:StartExecution, states:SendTaskSuccess], Resource: !Ref Flow}"
    starter = FN % f", Environment: {{Variables: {{M: !Ref Flow}}}}, Policies: [{{Statement: [{statement}]}}]"
    result = imported(machine(WAITING, "{Q: !Ref Asks}", f"  Asks: {{Type: AWS::SQS::Queue}}\n  Both: {starter}"))
    starts = [e for e in result.diagram.edges if result.diagram.label(e.source) == "Both"]
    assert [(e.kind, e.attr("callback")) for e in starts] == [("invoke-async", None)]


# ------------------------------------------------------------------------------------------------ front doors


def test_an_http_api_routes_through_a_vpc_link_to_a_load_balancer():
    text = """
Resources:
  Api: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: api, ProtocolType: HTTP}}
  Link: {Type: AWS::ApiGatewayV2::VpcLink, Properties: {Name: link, SubnetIds: [subnet-1]}}
  Balancer: {Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: {Scheme: internal}}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Balancer, Port: 80, Protocol: HTTP, DefaultActions: []}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: ANY
      IntegrationUri: !Ref Listener
      ConnectionType: VPC_LINK
      ConnectionId: !Ref Link
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /items", Target: !Sub "integrations/${Integration}"}
"""
    assert ("Api", "route", "Balancer") in edges(imported(text))


NESTED_AUTH = """
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
Outputs:
  Issuer:
    Value: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}
"""


def test_an_authorizer_names_the_user_pool_of_a_nested_stack_by_its_output():
    parent = f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Auth: {{Type: AWS::Serverless::Application, Properties: {{Location: ./auth.yaml}}}}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration: {{issuer: !GetAtt Auth.Outputs.Issuer, audience: [abc]}}
            IdentitySource: $request.header.Authorization
  Read: {FN % ", Events: {Get: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /, Method: get}}}"}
"""
    result = from_templates(
        [("template.yaml", parent.encode())],
        files=FileSet({"template.yaml": parent.encode(), "auth.yaml": NESTED_AUTH.encode()}),
    )
    assert ("Api", "authorize", "Pool") in edges(result)
    assert not any(n.type == "lambda" and n.label == "Pool" for n in result.diagram.nodes)


def test_an_authorizer_outside_the_template_is_drawn_as_the_service_its_key_names():
    text = """
Parameters:
  PoolArn: {Type: String}
  CheckerArn: {Type: String}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        Authorizers:
          Users: {UserPoolArn: !Ref PoolArn}
          Custom: {FunctionArn: !Ref CheckerArn}
"""
    d = imported(text).diagram
    drawn = {(d.label(e.target), d.node(e.target).type) for e in d.edges if e.kind == "authorize"}
    assert drawn == {("PoolArn", "cognito"), ("CheckerArn", "lambda")}


# ------------------------------------------------------------------------------------------------ stores


DATABASE = """
Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-mysql, ServerlessV2ScalingConfiguration: {MinCapacity: 0.5, MaxCapacity: 4}}
  InVpc: %s
  Outside: %s
"""


def test_a_function_in_a_vpc_given_a_database_endpoint_connects_to_it_without_iam():
    env = ", Environment: {Variables: {HOST: !GetAtt Cluster.Endpoint.Address}}"
    vpc = ", VpcConfig: {SecurityGroupIds: [sg-1], SubnetIds: [subnet-1]}"
    result = imported(DATABASE % (FN % (env + vpc), FN % env))
    found = {e for e in edges(result) if e[2] == "Cluster"}
    assert {e[0] for e in found} == {"InVpc"}  # outside a VPC a private cluster is out of reach
    assert {e[1] for e in found} <= {"read", "write"}
    assert found


def test_a_name_kept_in_a_mapping_is_the_resource_that_takes_it():
    text = """
Mappings:
  Config:
    Bus: {Name: orders-bus}
Resources:
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: !FindInMap [Config, Bus, Name]}}
  Target: %s
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !FindInMap [Config, Bus, Name]
      EventPattern: {source: [orders]}
      Targets: [{Arn: !GetAtt Target.Arn, Id: t}]
""" % (FN % "")
    assert ("Bus", "subscribe", "Target") in edges(imported(text))


def test_a_function_url_is_called_like_any_front_door():
    text = "Resources:\n  Hook: %s\n" % (FN % ", FunctionUrlConfig: {AuthType: AWS_IAM}")
    result = imported(text)
    d = result.diagram
    [call] = [e for e in d.edges if d.label(e.target) == "Hook"]
    assert (d.node(call.source).type, call.kind) == ("client-web", "request")
    assert d.node(call.target).config["url_auth"] == "iam"
