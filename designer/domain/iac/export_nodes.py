"""One resource (or a few) per node, configured from the node's config. Edges add the rest (export_links).

Each renderer returns False when the node stays in Metadata instead (a CloudFront distribution with no origin it
can reach, say).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from designer.domain.diagram import Node
from designer.domain.iac.exporter import NOT_RENDERED, Exporter, clean, lambda_code, snapstart_supported

__all__ = ["RENDERERS"]

ORIGIN_TYPES = ("apigw-rest", "apigw-http", "apigw-websocket", "appsync", "s3")
SCHEDULE_EVENT_TARGETS = ("lambda", "sfn-standard", "sfn-express")
CACHE_NODE_TYPE = "cache.t4g.small"
DB_CLASSES = {1: "db.t4g.micro", 2: "db.m7g.large", 4: "db.m7g.xlarge", 8: "db.m7g.2xlarge", 16: "db.m7g.4xlarge"}


def _lambda(x: Exporter, node: Node) -> bool:
    c, given = node.config, node.given
    runtime = str(c["runtime"])
    props: dict[str, Any] = {"Description": clean(node.label), "Runtime": runtime, **lambda_code(runtime, node.id)}
    props.update({"MemorySize": c["memory_mb"], "Timeout": c["timeout_s"], "Architectures": [c["arch"]]})
    if c["ephemeral_storage_mb"] != 512:
        props["EphemeralStorage"] = {"Size": c["ephemeral_storage_mb"]}
    if c["reserved_concurrency"] is not None:
        props["ReservedConcurrentExecutions"] = c["reserved_concurrency"]
    if c["provisioned_concurrency"]:
        props["AutoPublishAlias"] = "live"
        props["ProvisionedConcurrencyConfig"] = {"ProvisionedConcurrentExecutions": c["provisioned_concurrency"]}
    elif c["snapstart"] and snapstart_supported(runtime):
        props["AutoPublishAlias"] = "live"
        props["SnapStart"] = {"ApplyOn": "PublishedVersions"}
    if c["vpc"]:
        x.parameters["SubnetIds"] = {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "Subnets for functions in the VPC",
        }
        x.parameters["SecurityGroupIds"] = {
            "Type": "List<AWS::EC2::SecurityGroup::Id>",
            "Description": "Their security groups",
        }
        props["VpcConfig"] = {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": {"Ref": "SecurityGroupIds"}}
    if "retry_attempts" in given or "max_event_age_s" in given:
        props["EventInvokeConfig"] = {
            "MaximumRetryAttempts": c["retry_attempts"],
            "MaximumEventAgeInSeconds": c["max_event_age_s"],
        }
    x.add(x.logical[node.id], "AWS::Serverless::Function", props)
    x.outputs[f"{x.logical[node.id]}Arn"] = {"Value": x.att(node.id, "Arn")}
    return True


def _queue(x: Exporter, node: Node) -> bool:
    c, given = node.config, node.given
    props: dict[str, Any] = {}
    for key, prop in (
        ("visibility_timeout_s", "VisibilityTimeout"),
        ("retention_s", "MessageRetentionPeriod"),
        ("delay_s", "DelaySeconds"),
        ("receive_wait_time_s", "ReceiveMessageWaitTimeSeconds"),
    ):
        if key in given:
            props[prop] = c[key]
    if "max_message_kb" in given:
        props["MaximumMessageSize"] = int(c["max_message_kb"]) * 1024
    if node.type == "sqs-fifo":
        props["FifoQueue"] = True
        if c["content_based_dedup"]:
            props["ContentBasedDeduplication"] = True
        if c["high_throughput"]:
            props.update({"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
    x.add(x.logical[node.id], "AWS::SQS::Queue", props)
    x.outputs[f"{x.logical[node.id]}Url"] = {"Value": x.ref(node.id)}
    return True


def _topic(x: Exporter, node: Node) -> bool:
    props: dict[str, Any] = {"DisplayName": clean(node.label, 100)}
    if node.type == "sns-fifo":
        props["FifoTopic"] = True
        if node.config["content_based_dedup"]:
            props["ContentBasedDeduplication"] = True
        if node.config["high_throughput"]:
            props["FifoThroughputScope"] = "MessageGroup"
    x.add(x.logical[node.id], "AWS::SNS::Topic", props)
    x.outputs[f"{x.logical[node.id]}Arn"] = {"Value": x.ref(node.id)}
    return True


def _bus(x: Exporter, node: Node) -> bool:
    x.add(x.logical[node.id], "AWS::Events::EventBus", {"Name": {"Fn::Sub": "${AWS::StackName}-" + node.id}})
    if node.config["archive"]:
        x.add(x.aux(f"{x.logical[node.id]}Archive"), "AWS::Events::Archive", {"SourceArn": x.arn(node.id)})
    return True


def _scheduler(x: Exporter, node: Node) -> bool:
    triggers = x.d.outgoing(node.id, "trigger")
    if len(triggers) == 1 and x.type(triggers[0].target) in SCHEDULE_EVENT_TARGETS:
        return True  # written as a ScheduleV2 event of its target (export_links)
    x.add(x.logical[node.id], "AWS::Scheduler::ScheduleGroup", {})
    return True


def _stream(x: Exporter, node: Node) -> bool:
    c, props = node.config, {}
    if c["mode"] == "on-demand":
        props["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
    else:
        props["ShardCount"] = c["shards"]
    if "retention_h" in node.given:
        props["RetentionPeriodHours"] = c["retention_h"]
    if c["max_record_kb"] > 1024:
        props["MaxRecordSizeInKiB"] = c["max_record_kb"]
    x.add(x.logical[node.id], "AWS::Kinesis::Stream", props)
    return True


def _firehose(x: Exporter, node: Node) -> bool:
    x.add(x.logical[node.id], "AWS::KinesisFirehose::DeliveryStream", {"DeliveryStreamType": "DirectPut"})
    return True  # source and destination come from its edges


def _state_machine(x: Exporter, node: Node) -> bool:
    props = {"Type": "EXPRESS" if node.type == "sfn-express" else "STANDARD"}
    x.add(x.logical[node.id], "AWS::Serverless::StateMachine", props)
    x.outputs[f"{x.logical[node.id]}Arn"] = {"Value": x.ref(node.id)}
    return True  # the definition comes from its task and compensate edges


def _table(x: Exporter, node: Node) -> bool:
    c = node.config
    props: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }
    if c["billing_mode"] == "provisioned":
        props["BillingMode"] = "PROVISIONED"
        props["ProvisionedThroughput"] = {"ReadCapacityUnits": c["rcu"], "WriteCapacityUnits": c["wcu"]}
    else:
        props["BillingMode"] = "PAY_PER_REQUEST"
    if c["stream"] or x.d.outgoing(node.id, "poll"):
        props["StreamSpecification"] = {"StreamViewType": str(c["stream_view_type"]).upper().replace("-", "_")}
    x.add(x.logical[node.id], "AWS::DynamoDB::Table", props)
    x.outputs[f"{x.logical[node.id]}Name"] = {"Value": x.ref(node.id)}
    return True


def _bucket(x: Exporter, node: Node) -> bool:
    props: dict[str, Any] = {}
    if any(x.type(e.target) == "lambda" for e in x.d.outgoing(node.id, "trigger")):
        # A generated name lets policies name the bucket without a Ref, which would be a circular dependency
        # with the notification that invokes the function.
        name = {"Fn::Sub": "${AWS::StackName}-" + node.id.lower().replace("_", "-") + "-${AWS::AccountId}"}
        x.bucket_names[node.id] = name
        props["BucketName"] = name
    if node.config["versioning"]:
        props["VersioningConfiguration"] = {"Status": "Enabled"}
    x.add(x.logical[node.id], "AWS::S3::Bucket", props)
    x.outputs[f"{x.logical[node.id]}Name"] = {"Value": x.ref(node.id)}
    return True


CACHE_SIZES = {0.5: "0.5", 1.6: "1.6", 6.1: "6.1", 13.5: "13.5", 28.4: "28.4", 58.2: "58.2", 118: "118", 237: "237"}


def _rest_api(x: Exporter, node: Node) -> bool:
    c = node.config
    props: dict[str, Any] = {"StageName": "Prod", "EndpointConfiguration": {"Type": str(c["endpoint_type"]).upper()}}
    if c["cache_size_gb"]:
        props["CacheClusterEnabled"] = True
        props["CacheClusterSize"] = CACHE_SIZES.get(c["cache_size_gb"], "0.5")
        props["MethodSettings"] = [
            {"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": True, "CacheTtlInSeconds": c["cache_ttl_s"]}
        ]
    x.add(x.logical[node.id], "AWS::Serverless::Api", props)
    url = f"https://${{{x.logical[node.id]}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/Prod"
    x.outputs[f"{x.logical[node.id]}Url"] = {"Value": {"Fn::Sub": url}}
    return True


def _http_api(x: Exporter, node: Node) -> bool:
    x.add(x.logical[node.id], "AWS::Serverless::HttpApi", {})
    url = f"https://${{{x.logical[node.id]}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
    x.outputs[f"{x.logical[node.id]}Url"] = {"Value": {"Fn::Sub": url}}
    return True


def _websocket(x: Exporter, node: Node) -> bool:
    props = {
        "Name": {"Fn::Sub": "${AWS::StackName}-" + node.id},
        "ProtocolType": "WEBSOCKET",
        "RouteSelectionExpression": "$request.body.action",
    }
    x.add(x.logical[node.id], "AWS::ApiGatewayV2::Api", props)
    return True  # routes, a deployment and a stage come with its edges


def _appsync(x: Exporter, node: Node) -> bool:
    name = x.logical[node.id]
    x.add(name, "AWS::AppSync::GraphQLApi", {"Name": node.id, "AuthenticationType": "API_KEY"})
    schema = "schema {\n  query: Query\n}\n\ntype Query {\n  ping: String\n}\n"
    x.add(
        x.aux(f"{name}Schema"), "AWS::AppSync::GraphQLSchema", {"ApiId": x.att(node.id, "ApiId"), "Definition": schema}
    )
    x.outputs[f"{name}Url"] = {"Value": x.att(node.id, "GraphQLUrl")}
    return True


def _user_pool(x: Exporter, node: Node) -> bool:
    c = node.config
    props: dict[str, Any] = {"UserPoolTier": str(c["feature_plan"]).upper()}
    mfa = {"off": "OFF", "optional": "OPTIONAL", "required": "ON"}[str(c["mfa"])]
    props["MfaConfiguration"] = mfa
    if mfa != "OFF":
        props["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]
    x.add(x.logical[node.id], "AWS::Cognito::UserPool", props)
    minutes = max(5, int(c["access_token_validity_s"]) // 60)
    client = {
        "UserPoolId": x.ref(node.id),
        "AccessTokenValidity": minutes,
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }
    x.links.clients[node.id] = x.aux(f"{x.logical[node.id]}Client")
    x.add(x.links.clients[node.id], "AWS::Cognito::UserPoolClient", client)
    return True


def _ses(x: Exporter, node: Node) -> bool:
    x.add(x.logical[node.id], "AWS::SES::ConfigurationSet", {})
    return True


def _cloudfront(x: Exporter, node: Node) -> bool:
    return any(x.type(e.target) in ORIGIN_TYPES for e in x.d.outgoing(node.id, "route"))  # drawn by export_links


def _rds(x: Exporter, node: Node) -> bool:
    c = node.config
    vcpu = min((v for v in DB_CLASSES if v >= c["vcpu"]), default=16)
    props = {
        "Engine": c["engine"],
        "DBInstanceClass": DB_CLASSES[vcpu],
        "AllocatedStorage": str(max(20, int(c["storage_gb"]))),
        "MasterUsername": "archlab",
        "ManageMasterUserPassword": True,
        "MultiAZ": bool(c["multi_az"]),
        "StorageEncrypted": True,
    }
    x.add(x.logical[node.id], "AWS::RDS::DBInstance", props, DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot")
    return True


def _aurora(x: Exporter, node: Node) -> bool:
    c, name = node.config, x.logical[node.id]
    props = {
        "Engine": c["engine"],
        "ServerlessV2ScalingConfiguration": {
            "MinCapacity": c["min_acu"],
            "MaxCapacity": max(c["max_acu"], c["min_acu"], 1),
        },
        "MasterUsername": "archlab",
        "ManageMasterUserPassword": True,
        "StorageEncrypted": True,
        "EnableHttpEndpoint": bool(c["data_api"]),
    }
    x.add(name, "AWS::RDS::DBCluster", props, DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot")
    writer = {"Engine": c["engine"], "DBInstanceClass": "db.serverless", "DBClusterIdentifier": x.ref(node.id)}
    x.add(x.aux(f"{name}Writer"), "AWS::RDS::DBInstance", writer)
    return True


def _cache(x: Exporter, node: Node) -> bool:
    c, name = node.config, x.logical[node.id]
    if c["mode"] == "serverless":
        x.add(
            name,
            "AWS::ElastiCache::ServerlessCache",
            {"Engine": c["engine"], "ServerlessCacheName": _lower_name(node.id, 40)},
        )
    elif c["engine"] == "memcached":
        props = {"Engine": "memcached", "CacheNodeType": CACHE_NODE_TYPE, "NumCacheNodes": c["nodes"]}
        x.add(name, "AWS::ElastiCache::CacheCluster", props)
    else:
        props = {
            "ReplicationGroupDescription": clean(node.label) or node.id,
            "Engine": c["engine"],
            "CacheNodeType": CACHE_NODE_TYPE,
            "NumCacheClusters": max(1, min(int(c["nodes"]), 6)),
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
        }
        x.add(name, "AWS::ElastiCache::ReplicationGroup", props)
    return True


def _search(x: Exporter, node: Node) -> bool:
    c, name = node.config, x.logical[node.id]
    if c["mode"] == "serverless":
        collection = f"{_lower_name(node.id, 27)}-{len(x.resources) % 1000}"  # 3-32 characters, unique here
        policy = x.aux(f"{name}Encryption")
        rules = (
            '{"Rules":[{"ResourceType":"collection","Resource":["collection/' + collection + '"]}],"AWSOwnedKey":true}'
        )
        x.add(
            policy,
            "AWS::OpenSearchServerless::SecurityPolicy",
            {"Name": collection, "Type": "encryption", "Policy": rules},
        )
        x.add(name, "AWS::OpenSearchServerless::Collection", {"Name": collection, "Type": "SEARCH"}, DependsOn=[policy])
    else:
        count = int(c["instance_count"])
        cluster = {
            "InstanceCount": count,
            "InstanceType": "t3.small.search",
            "ZoneAwarenessEnabled": bool(c["redundancy"]) and count > 1,
        }
        props = {
            "EngineVersion": "OpenSearch_2.13",
            "ClusterConfig": cluster,
            "EBSOptions": {"EBSEnabled": True, "VolumeSize": 10},
        }
        x.add(name, "AWS::OpenSearchService::Domain", props)
    return True


def _lower_name(node_id: str, limit: int) -> str:
    text = (
        re.sub("-{2,}", "-", "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in node_id.lower())).strip("-")
        or "node"
    )
    return ("n" + text if not text[0].isalpha() else text)[:limit].rstrip("-")


RENDERERS: dict[str, Callable[[Exporter, Node], bool]] = {
    "lambda": _lambda,
    "sqs": _queue,
    "sqs-fifo": _queue,
    "sns": _topic,
    "sns-fifo": _topic,
    "eventbridge": _bus,
    "eventbridge-scheduler": _scheduler,
    "kinesis": _stream,
    "firehose": _firehose,
    "sfn-standard": _state_machine,
    "sfn-express": _state_machine,
    "dynamodb": _table,
    "s3": _bucket,
    "apigw-rest": _rest_api,
    "apigw-http": _http_api,
    "apigw-websocket": _websocket,
    "appsync": _appsync,
    "cognito": _user_pool,
    "ses": _ses,
    "cloudfront": _cloudfront,
    "rds": _rds,
    "aurora-serverless": _aurora,
    "elasticache": _cache,
    "opensearch": _search,
}


def render_nodes(x: Exporter) -> None:
    """Each node's resources; the account's default bus is no resource, and some types stay in Metadata."""
    for node in x.d.nodes:
        if node.type == "eventbridge" and node.config.get("event_source") == "aws-service" and not x.default_bus:
            x.default_bus = node.id  # the account's default bus: no resource of its own
            x.rendered.add(node.id)
            if node.config.get("archive"):
                x.add(
                    x.aux(f"{x.logical[node.id]}Archive"),
                    "AWS::Events::Archive",
                    {"SourceArn": x.arn(node.id)},
                )
            continue
        render = RENDERERS.get(node.type)
        if node.type in NOT_RENDERED or render is None or not render(x, node):
            continue
        x.rendered.add(node.id)
