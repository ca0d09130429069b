# The store's tables as `tenantd migrate` creates them (docs/storage.md): PK/SK, GSI1..GSI7 on
# GSI<n>PK / GSI<n>ORDER, the TTL index on TTLSHARD / ttl, all projecting ALL.
resource "aws_dynamodb_table" "data" {
  for_each     = toset(local.tables)
  name         = "bbws-${each.key}-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "PK"
  range_key    = "SK"

  attribute {
    name = "PK"
    type = "S"
  }
  attribute {
    name = "SK"
    type = "S"
  }
  attribute {
    name = "TTLSHARD"
    type = "S"
  }
  attribute {
    name = "ttl"
    type = "N"
  }
  dynamic "attribute" {
    for_each = flatten([for n in range(1, 8) : ["GSI${n}PK", "GSI${n}ORDER"]])
    content {
      name = attribute.value
      type = "S"
    }
  }
  dynamic "global_secondary_index" {
    for_each = range(1, 8)
    content {
      name            = "GSI${global_secondary_index.value}"
      hash_key        = "GSI${global_secondary_index.value}PK"
      range_key       = "GSI${global_secondary_index.value}ORDER"
      projection_type = "ALL"
    }
  }
  global_secondary_index {
    name            = "TTL"
    hash_key        = "TTLSHARD"
    range_key       = "ttl"
    projection_type = "ALL"
  }
  ttl {
    attribute_name = "ttl"
    enabled        = true
  }
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
  deletion_protection_enabled = var.environment == "prod"
}

# One item per release action (docs/operations.md#deployment-pipeline), written by scripts/release/lib.sh record().
resource "aws_dynamodb_table" "deployments" {
  name         = "bbws-deployments-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "deploymentId"

  attribute {
    name = "deploymentId"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}
