#!/bin/sh
# One-shot: the namespace and the job search attributes (workflows/temporal/search-attributes.ts), then waits
# until the attributes are usable in queries: registered at run time they are not, until the server's
# namespace cache refreshes ("no mapping defined for search attribute"). App and worker start after it.
set -eu
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NS=${TEMPORAL_NAMESPACE:-default}
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do echo "waiting for Temporal at $ADDRESS"; sleep 2; done
temporal operator namespace describe -n "$NS" --address "$ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$NS" --retention 30d --address "$ADDRESS"
for attr in JobStatus:Keyword JobReference:Keyword AgencyId:Keyword ContractorId:Keyword Priority:Keyword SlaDueAt:Datetime SlaBreached:Bool; do
  name=${attr%%:*}
  type=${attr#*:}
  temporal operator search-attribute create --namespace "$NS" --name "$name" --type "$type" --address "$ADDRESS" 2>/dev/null || true
done
probe='JobStatus = "probe" AND JobReference = "probe" AND AgencyId = "probe" AND ContractorId = "probe" AND Priority = "probe" AND SlaDueAt < "1970-01-02T00:00:00Z" AND SlaBreached = true'
tries=0
until temporal workflow count --namespace "$NS" --query "$probe" --address "$ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "search attributes still unusable after 2 minutes" >&2; exit 1; fi
  sleep 2
done
echo "namespace $NS ready with the job search attributes"
