//! What the Redis queue stores and runs on the server: Lua scripts, job JSON, stream replies.

use super::{Job, QueueError};
use redis::Value;

/// Adds a job unless its dedup key exists. KEYS: dedup key, stream. ARGV: id, job JSON, ttl.
pub(super) const ENQUEUE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
  return redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
end
return false";

/// Moves retries that are due onto the stream and returns when the next one is due (ms, or
/// -1). KEYS: delayed, stream. ARGV: now in ms.
pub(super) const PROMOTE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, job in ipairs(due) do
  redis.call('ZREM', KEYS[1], job)
  redis.call('XADD', KEYS[2], '*', 'job', job)
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if next[2] then return tonumber(next[2]) end
return -1";

/// Deletes a dedup key only if it still names this job. KEYS: dedup key. ARGV: id.
pub(super) const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

pub(super) fn to_json(job: &Job) -> Result<String, QueueError> {
    serde_json::to_string(job).map_err(|e| QueueError::Malformed(e.to_string()))
}

pub(super) fn from_json(json: &str) -> Result<Job, QueueError> {
    serde_json::from_str(json).map_err(|e| QueueError::Malformed(format!("{e}: {json}")))
}

/// Stream entries `[[id, [field, value, ...]], ...]` as (id, value of field `job`).
pub(super) fn parse_entries(value: &Value) -> Vec<(String, String)> {
    let Value::Array(entries) = value else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let Value::Array(parts) = entry else {
                return None;
            };
            let id = text(parts.first()?)?;
            let Value::Array(fields) = parts.get(1)? else {
                return None;
            };
            let job = fields
                .chunks(2)
                .find(|kv| kv.first().and_then(text).as_deref() == Some("job"))
                .and_then(|kv| kv.get(1).and_then(text))?;
            Some((id, job))
        })
        .collect()
}

pub(super) fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn stream_entries_yield_their_id_and_job_field_and_skip_the_rest() {
        let entries = Value::Array(vec![
            Value::Array(vec![
                bulk("1-0"),
                Value::Array(vec![bulk("other"), bulk("x"), bulk("job"), bulk("{}")]),
            ]),
            Value::Array(vec![
                bulk("2-0"),
                Value::Array(vec![bulk("other"), bulk("y")]),
            ]),
            Value::Nil,
        ]);
        assert_eq!(
            parse_entries(&entries),
            vec![("1-0".to_string(), "{}".to_string())]
        );
        assert!(parse_entries(&Value::Nil).is_empty());
    }

    #[test]
    fn a_job_survives_its_json_round_trip_and_garbage_is_malformed() {
        let job = Job::new("sync", serde_json::json!({"date": "2026-12-06"}));
        let back = from_json(&to_json(&job).expect("json")).expect("job");
        assert_eq!(back, job);
        assert!(matches!(from_json("nope"), Err(QueueError::Malformed(_))));
    }
}
