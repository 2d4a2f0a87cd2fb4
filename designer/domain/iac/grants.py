"""Which AWS services a template lets deliver to which of its queues, topics and functions.

EventBridge, SNS and S3 deliver to an SQS queue, an SNS topic or a Lambda function only when the target's resource
policy allows the service: an ``AWS::SQS::QueuePolicy`` (or ``QueueInlinePolicy``), an ``AWS::SNS::TopicPolicy``
(or ``TopicInlinePolicy``), an ``AWS::Lambda::Permission``. SAM adds these itself for a function's event sources
(an SNS, S3 or EventBridge event; an SNS event's ``SqsSubscription``) and for connectors. ``Grants.allows(target,
service)`` answers True when the template grants it, False when it grants nothing of the kind, and None when the
target is not a resource of this template (its policy, if any, lives elsewhere).
"""

from __future__ import annotations

from typing import Any

from designer.domain.iac.template import Template, mapping

__all__ = ["Grants"]

SAM_EVENT_SERVICES = {
    "SNS": "sns",
    "S3": "s3",
    "EventBridgeRule": "events",
    "CloudWatchEvent": "events",
    "Schedule": "events",
    "ScheduleV2": "scheduler",
    "Api": "apigateway",
    "HttpApi": "apigateway",
    "IoTRule": "iot",
    "CloudWatchLogs": "logs",
    "Cognito": "cognito-idp",
}


class Grants:
    def __init__(self, tpl: Template) -> None:
        self.tpl = tpl
        self._granted: set[tuple[str, str]] = set()
        self._everyone: set[str] = set()
        for res in tpl.of_type("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            owners = tpl.refs(res.props.get("Queues") if "Queues" in res.props else res.props.get("Topics"))
            self._document(owners, res.props.get("PolicyDocument"))
        for res in tpl.of_type("AWS::SQS::QueueInlinePolicy", "AWS::SNS::TopicInlinePolicy"):
            owners = tpl.refs(res.props.get("Queue") if "Queue" in res.props else res.props.get("TopicArn"))
            self._document(owners, res.props.get("PolicyDocument"))
        for res in tpl.of_type("AWS::Lambda::Permission"):
            service = _service(res.props.get("Principal"))
            for fn in tpl.refs(res.props.get("FunctionName")) or _named(tpl, res.props.get("FunctionName")):
                self._grant(fn, service)
        for res in tpl.of_type("AWS::Serverless::Function"):
            events = mapping(res.props.get("Events"))
            for event in events.values():
                event = mapping(event)
                sam_service = SAM_EVENT_SERVICES.get(str(event.get("Type")))
                if sam_service:
                    self._grant(res.logical, sam_service)
                if event.get("Type") == "SNS" and mapping(event.get("Properties")).get("SqsSubscription"):
                    self._grant(res.logical, "sns")  # SAM makes the queue and its policy
        for res in tpl.of_type("AWS::Serverless::Connector"):
            for target in tpl.refs(res.props.get("Destination")) + _ids(res.props.get("Destination")):
                self._everyone.add(target)

    def allows(self, target: str, service: str) -> bool | None:
        if target not in self.tpl.resources:
            return None
        return target in self._everyone or (target, service) in self._granted

    def _document(self, owners: list[str], document: Any) -> None:
        statements = mapping(document).get("Statement")
        for statement in statements if isinstance(statements, list) else [statements]:
            statement = mapping(statement)
            if statement.get("Effect", "Allow") != "Allow":
                continue
            service = _service(statement.get("Principal"))
            for owner in owners:
                self._grant(owner, service)

    def _grant(self, target: str, service: str) -> None:
        if service == "*":
            self._everyone.add(target)
        elif service:
            self._granted.add((target, service))


def _service(principal: Any) -> str:
    """The service a policy principal names (events, sns, s3 ...), "*" for anyone, "" for accounts and roles."""
    if principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*"):
        return "*"
    value = principal.get("Service") if isinstance(principal, dict) else principal
    names = value if isinstance(value, list) else [value]
    for name in names:
        if isinstance(name, str) and name.endswith(".amazonaws.com"):
            return name.removesuffix(".amazonaws.com")
    return ""


def _named(tpl: Template, value: Any) -> list[str]:
    found = tpl.by_name(value)
    return [found] if found else []


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item["Id"]) for item in items if isinstance(item, dict) and isinstance(item.get("Id"), str)]
