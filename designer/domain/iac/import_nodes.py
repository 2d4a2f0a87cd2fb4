"""Which resources become diagram nodes, of which service type, with which configuration.

``classify(resource, template)`` answers ``(service type, config)`` for a resource that is a node of its own, or
None; values given by a parameter's default or a ``!FindInMap`` of literal keys count as written.
``ALIAS_OF`` names the helper resources that stand for a node declared elsewhere (a user pool client for its
pool); :mod:`designer.domain.iac.left_out` says what the importer reads from the others, for the notes. Config values are taken only when
they are literals; the importer checks them against the catalog and drops (with a note) what does not fit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from designer.domain.iac.template import Resource, Template, mapping, text_of

__all__ = ["ALIAS_OF", "classify", "number"]

Config = dict[str, Any]


def number(value: Any) -> int | float | None:
    """A literal number, also from numeric text ("30"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and len(value) < 20:
        try:
            as_float = float(value)
        except ValueError:
            return None
        return int(as_float) if as_float.is_integer() else as_float
    return None


def _put(config: Config, key: str, value: Any) -> None:
    if value is not None:
        config[key] = value


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _lambda(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    _put(c, "runtime", text_of(res.prop("Runtime")))
    _put(c, "memory_mb", number(res.prop("MemorySize")))
    _put(c, "timeout_s", number(res.prop("Timeout")))
    arch = res.prop("Architectures")
    if isinstance(arch, list) and arch:
        _put(c, "arch", text_of(arch[0]))
    _put(c, "ephemeral_storage_mb", number(res.prop("EphemeralStorage", "Size")))
    _put(c, "reserved_concurrency", number(res.prop("ReservedConcurrentExecutions")))
    _put(
        c,
        "provisioned_concurrency",
        number(res.prop("ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")),
    )
    if res.prop("SnapStart", "ApplyOn") == "PublishedVersions":
        c["snapstart"] = True
    if isinstance(res.prop("VpcConfig"), dict):
        c["vpc"] = True
    _put(c, "retry_attempts", number(res.prop("EventInvokeConfig", "MaximumRetryAttempts")))
    _put(c, "max_event_age_s", number(res.prop("EventInvokeConfig", "MaximumEventAgeInSeconds")))
    url_auth = res.prop("FunctionUrlConfig", "AuthType")
    if isinstance(url_auth, str):
        c["url_auth"] = "iam" if url_auth.upper() == "AWS_IAM" else "none"
    if _idempotent(res):
        c["idempotent"] = True
    return "lambda", c


def _idempotent(res: Resource) -> bool:
    """Evidence that a function handles repeats: an idempotency store in its environment (Powertools for AWS
    Lambda's idempotency utility is configured that way)."""
    variables = mapping(res.prop("Environment", "Variables"))
    return any("IDEMPOTEN" in str(name).upper() for name in variables)


def _queue(res: Resource) -> tuple[str, Config]:
    name = text_of(res.prop("QueueName")) or ""
    fifo = _flag(res.prop("FifoQueue")) or name.endswith(".fifo")
    c: Config = {}
    _put(c, "visibility_timeout_s", number(res.prop("VisibilityTimeout")))
    _put(c, "retention_s", number(res.prop("MessageRetentionPeriod")))
    _put(c, "delay_s", number(res.prop("DelaySeconds")))
    _put(c, "receive_wait_time_s", number(res.prop("ReceiveMessageWaitTimeSeconds")))
    size = number(res.prop("MaximumMessageSize"))
    _put(c, "max_message_kb", int(size // 1024) if size is not None else None)
    redrive = res.prop("RedrivePolicy")
    if isinstance(redrive, dict):
        _put(c, "max_receive_count", number(redrive.get("maxReceiveCount")))
    if fifo:
        _put(c, "content_based_dedup", _flag(res.prop("ContentBasedDeduplication")))
        if res.prop("FifoThroughputLimit") == "perMessageGroupId":
            c["high_throughput"] = True
    return ("sqs-fifo" if fifo else "sqs"), c


def _topic(res: Resource) -> tuple[str, Config]:
    name = text_of(res.prop("TopicName")) or ""
    if _flag(res.prop("FifoTopic")) or name.endswith(".fifo"):
        c: Config = {}
        _put(c, "content_based_dedup", _flag(res.prop("ContentBasedDeduplication")))
        if res.prop("FifoThroughputScope") == "MessageGroup":
            c["high_throughput"] = True
        return "sns-fifo", c
    return "sns", {}


def _schedule(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    _put(c, "schedule", text_of(res.prop("ScheduleExpression")))
    _put(c, "timezone", text_of(res.prop("ScheduleExpressionTimezone")))
    _put(c, "retry_attempts", number(res.prop("Target", "RetryPolicy", "MaximumRetryAttempts")))
    _put(c, "max_event_age_s", number(res.prop("Target", "RetryPolicy", "MaximumEventAgeInSeconds")))
    return "eventbridge-scheduler", c


def _rule(res: Resource) -> tuple[str, Config] | None:
    # A rule with a schedule and no event pattern is a schedule; other rules are read as edges of their bus.
    if res.prop("ScheduleExpression") is None or res.prop("EventPattern") is not None:
        return None
    return "eventbridge-scheduler", {"schedule": text_of(res.prop("ScheduleExpression"))}


def _stream(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    if res.prop("StreamModeDetails", "StreamMode") == "ON_DEMAND":
        c["mode"] = "on-demand"
    else:
        _put(c, "shards", number(res.prop("ShardCount")))
    _put(c, "retention_h", number(res.prop("RetentionPeriodHours")))
    return "kinesis", c


def _firehose(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    for key, value in res.props.items():
        if key.endswith("DestinationConfiguration") and isinstance(value, dict):
            _put(c, "buffer_interval_s", number(value.get("BufferingHints", {}).get("IntervalInSeconds")))
            _put(c, "buffer_mb", number(value.get("BufferingHints", {}).get("SizeInMBs")))
    return "firehose", c


def _state_machine(res: Resource) -> tuple[str, Config]:
    kind = res.prop("Type") if res.type == "AWS::Serverless::StateMachine" else res.prop("StateMachineType")
    return ("sfn-express" if kind == "EXPRESS" else "sfn-standard"), {}


STREAM_VIEWS = {
    "KEYS_ONLY": "keys-only",
    "NEW_IMAGE": "new-image",
    "OLD_IMAGE": "old-image",
    "NEW_AND_OLD_IMAGES": "new-and-old-images",
}


def _table(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    throughput = res.prop("ProvisionedThroughput")
    if res.prop("BillingMode") == "PROVISIONED" or (
        isinstance(throughput, dict) and res.prop("BillingMode") != "PAY_PER_REQUEST"
    ):
        c["billing_mode"] = "provisioned"
        if isinstance(throughput, dict):
            _put(c, "rcu", number(throughput.get("ReadCapacityUnits")))
            _put(c, "wcu", number(throughput.get("WriteCapacityUnits")))
    view = res.prop("StreamSpecification", "StreamViewType")
    if view is not None:
        c["stream"] = True
        _put(c, "stream_view_type", STREAM_VIEWS.get(str(view)))
    return "dynamodb", c


def _bucket(res: Resource) -> tuple[str, Config]:
    return "s3", ({"versioning": True} if res.prop("VersioningConfiguration", "Status") == "Enabled" else {})


CACHE_SIZES = {"0.5": 0.5, "1.6": 1.6, "6.1": 6.1, "13.5": 13.5, "28.4": 28.4, "58.2": 58.2, "118": 118, "237": 237}


def _rest_api(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    endpoint = res.prop("EndpointConfiguration")
    kind = endpoint if isinstance(endpoint, str) else None
    if isinstance(endpoint, dict):
        types = endpoint.get("Types") or [endpoint.get("Type")]
        kind = types[0] if isinstance(types, list) and types else None
    if isinstance(kind, str) and kind.lower() in ("regional", "edge", "private"):
        c["endpoint_type"] = kind.lower()
    if _flag(res.prop("CacheClusterEnabled")):
        _put(c, "cache_size_gb", CACHE_SIZES.get(str(text_of(res.prop("CacheClusterSize")) or "0.5")))
    return "apigw-rest", c


def _v2_api(res: Resource) -> tuple[str, Config] | None:
    protocol = res.prop("ProtocolType")
    if protocol == "WEBSOCKET":
        return "apigw-websocket", {}
    return "apigw-http", {}


def _load_balancer(res: Resource) -> tuple[str, Config] | None:
    return ("alb", {}) if res.prop("Type", default="application") == "application" else None


def _ecs_service(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    _put(c, "tasks", number(res.prop("DesiredCount")))
    return "fargate", c


def _task_definition(res: Resource) -> tuple[str, Config] | None:
    if "FARGATE" not in (res.prop("RequiresCompatibilities") or []):
        return None
    c: Config = {}
    cpu, memory = number(res.prop("Cpu")), number(res.prop("Memory"))
    _put(c, "vcpu", cpu / 1024 if cpu else None)
    _put(c, "memory_gb", memory / 1024 if memory else None)
    return "fargate", c


def _db_instance(res: Resource) -> tuple[str, Config] | None:
    if res.prop("DBClusterIdentifier") is not None:
        return None  # an instance of a cluster: the cluster is the node
    c: Config = {}
    engine = str(res.prop("Engine") or "")
    _put(c, "engine", next((e for e in ("postgres", "mysql", "mariadb") if engine.startswith(e)), None))
    _put(c, "multi_az", _flag(res.prop("MultiAZ")))
    _put(c, "storage_gb", number(res.prop("AllocatedStorage")))
    return "rds", c


def _db_cluster(res: Resource) -> tuple[str, Config]:
    c: Config = {}
    engine = text_of(res.prop("Engine"))
    _put(c, "engine", engine if engine in ("aurora-postgresql", "aurora-mysql") else None)
    _put(c, "min_acu", number(res.prop("ServerlessV2ScalingConfiguration", "MinCapacity")))
    _put(c, "max_acu", number(res.prop("ServerlessV2ScalingConfiguration", "MaxCapacity")))
    _put(c, "data_api", _flag(res.prop("EnableHttpEndpoint")))
    return "aurora-serverless", c


def _cache(res: Resource) -> tuple[str, Config]:
    c: Config = {"mode": "serverless" if res.type == "AWS::ElastiCache::ServerlessCache" else "node-based"}
    engine = str(res.prop("Engine") or "").lower()
    _put(c, "engine", engine if engine in ("valkey", "redis", "memcached") else None)
    _put(c, "nodes", number(res.prop("NumCacheNodes")))
    return "elasticache", c


def _search(res: Resource) -> tuple[str, Config]:
    if res.type == "AWS::OpenSearchServerless::Collection":
        return "opensearch", {"mode": "serverless"}
    c: Config = {"mode": "managed"}
    _put(c, "instance_count", number(res.prop("ClusterConfig", "InstanceCount")))
    return "opensearch", c


def _simple(type_id: str) -> Callable[[Resource], tuple[str, Config] | None]:
    return lambda res: (type_id, {})


CLASSIFIERS: dict[str, Callable[[Resource], tuple[str, Config] | None]] = {
    "AWS::Serverless::Function": _lambda,
    "AWS::Lambda::Function": _lambda,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::Events::EventBus": _simple("eventbridge"),
    "AWS::Events::Rule": _rule,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::Scheduler::ScheduleGroup": _simple("eventbridge-scheduler"),
    "AWS::Kinesis::Stream": _stream,
    "AWS::KinesisFirehose::DeliveryStream": _firehose,
    "AWS::Serverless::StateMachine": _state_machine,
    "AWS::StepFunctions::StateMachine": _state_machine,
    "AWS::DynamoDB::Table": _table,
    "AWS::DynamoDB::GlobalTable": _table,
    "AWS::Serverless::SimpleTable": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::Serverless::Api": _rest_api,
    "AWS::ApiGateway::RestApi": _rest_api,
    "AWS::Serverless::HttpApi": _simple("apigw-http"),
    "AWS::ApiGatewayV2::Api": _v2_api,
    "AWS::AppSync::GraphQLApi": _simple("appsync"),
    "AWS::Serverless::GraphQLApi": _simple("appsync"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::Cognito::UserPool": _simple("cognito"),
    "AWS::CloudFront::Distribution": _simple("cloudfront"),
    "AWS::ECS::Service": _ecs_service,
    "AWS::ECS::TaskDefinition": _task_definition,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::RDS::DBCluster": _db_cluster,
    "AWS::RDS::DBProxy": _simple("rds-proxy"),
    "AWS::ElastiCache::ServerlessCache": _cache,
    "AWS::ElastiCache::CacheCluster": _cache,
    "AWS::ElastiCache::ReplicationGroup": _cache,
    "AWS::OpenSearchService::Domain": _search,
    "AWS::Elasticsearch::Domain": _search,
    "AWS::OpenSearchServerless::Collection": _search,
    "AWS::SES::ConfigurationSet": _simple("ses"),
    "AWS::SES::EmailIdentity": _simple("ses"),
    "AWS::SageMaker::Endpoint": _simple("sagemaker"),
    "AWS::Events::ApiDestination": _simple("external-api"),
    "AWS::Pipes::Pipe": _simple("eventbridge-pipe"),
}


def classify(res: Resource, tpl: Template | None = None) -> tuple[str, Config] | None:
    """The service type and literal config of a resource that is a node, or None."""
    fn = CLASSIFIERS.get(res.type)
    if fn is None:
        return None
    return fn(Resource(res.logical, res.type, _literals(res.props, tpl)) if tpl is not None else res)


def _literals(value: Any, tpl: Template, depth: int = 0) -> Any:
    """``value`` with parameter references and map lookups replaced by what they resolve to, where they do."""
    if depth > 30:
        return value
    resolved = tpl.literal(value)
    if resolved is not value:
        return resolved
    if isinstance(value, dict):
        return {k: _literals(v, tpl, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_literals(v, tpl, depth + 1) for v in value]
    return value


# Helper resources that stand for the node their property refers to.
ALIAS_OF: dict[str, tuple[str, ...]] = {
    "AWS::Cognito::UserPoolClient": ("UserPoolId",),
    "AWS::Cognito::UserPoolDomain": ("UserPoolId",),
    "AWS::Cognito::UserPoolGroup": ("UserPoolId",),
    "AWS::Scheduler::Schedule": ("GroupName",),
    "AWS::RDS::DBInstance": ("DBClusterIdentifier",),
    "AWS::SageMaker::EndpointConfig": (),
    "AWS::ApiGateway::Stage": ("RestApiId",),
    "AWS::ApiGatewayV2::Stage": ("ApiId",),
    "AWS::Lambda::Url": ("TargetFunctionArn",),
    "AWS::ElasticLoadBalancingV2::Listener": ("LoadBalancerArn",),
    "AWS::Lambda::Alias": ("FunctionName",),
    "AWS::Lambda::Version": ("FunctionName",),
}
