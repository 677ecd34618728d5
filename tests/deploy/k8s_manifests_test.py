#!/usr/bin/env python3
"""Offline check of the Kubernetes recipe in deploy/ (docs/scale.md).

    tests/deploy/k8s_manifests_test.py SOURCE_DIR

No cluster runs here: Debian 12 packages kubectl 1.20 (kubernetes-client),
which predates Indexed Jobs (1.21) and needs an API server even for
--dry-run. So this parses deploy/k8s-indexed-job.yaml and
deploy/k8s-merge-job.yaml with python3-yaml and checks the fields an
Indexed Job needs and how the two manifests, the shard script and the
documented `kubectl create configmap` fit together. Prints one line per
check; exits 1 naming every failed check, 77 (skipped) when python3-yaml
is missing.
"""

import os
import re
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (scripts/bootstrap --test)")
    sys.exit(77)

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def main():
    deploy = os.path.join(sys.argv[1], "deploy")
    shard_path = os.path.join(deploy, "k8s-indexed-job.yaml")
    merge_path = os.path.join(deploy, "k8s-merge-job.yaml")
    shard_docs = load(shard_path)
    merge_docs = load(merge_path)

    kinds = [(d.get("apiVersion"), d.get("kind")) for d in shard_docs]
    check(kinds == [("v1", "PersistentVolumeClaim"), ("batch/v1", "Job")],
          f"k8s-indexed-job.yaml: a v1 PersistentVolumeClaim and a batch/v1 "
          f"Job (got {kinds})")
    pvc, job = shard_docs[0], shard_docs[1]
    check(pvc["spec"].get("accessModes") == ["ReadWriteMany"],
          "PVC: accessModes [ReadWriteMany] (pods on several nodes write)")

    spec = job["spec"]
    check(spec.get("completionMode") == "Indexed",
          "shard Job: completionMode Indexed (sets JOB_COMPLETION_INDEX)")
    completions = spec.get("completions")
    check(isinstance(completions, int) and completions >= 1 and
          spec.get("parallelism") == completions,
          f"shard Job: completions = parallelism >= 1 (got {completions}, "
          f"{spec.get('parallelism')})")
    check(isinstance(spec.get("backoffLimit"), int),
          "shard Job: backoffLimit is an integer")
    pod = spec["template"]["spec"]
    check(pod.get("restartPolicy") in ("OnFailure", "Never"),
          f"shard Job: restartPolicy OnFailure or Never (a Job refuses "
          f"Always; got {pod.get('restartPolicy')})")
    check(len(pod["containers"]) == 1, "shard Job: one container")
    c = pod["containers"][0]
    env = env_of(c)
    shards = env.get("SHARDS", {}).get("value")
    check(shards == str(completions),
          f"shard Job: env SHARDS = completions ({shards} vs {completions})")
    uid = env.get("JOB_UID", {}).get("valueFrom", {}).get("fieldRef", {})
    check(uid.get("fieldPath") ==
          "metadata.labels['batch.kubernetes.io/controller-uid']",
          "shard Job: JOB_UID from the pod label "
          "batch.kubernetes.io/controller-uid (one group per Job)")
    command = " ".join(c.get("command", []))
    want = ('/bin/sh /etc/endstate/endstate-shard.sh "$JOB_COMPLETION_INDEX" '
            '"$SHARDS" "k8s-$JOB_UID" /out')
    check(want in command,
          f"shard Job: the command runs {want} (got {command!r})")
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    check(all(n in volumes for n in mounts.values()),
          f"shard Job: every volumeMount names a volume ({sorted(mounts)})")
    etc = volumes.get(mounts.get("/etc/endstate"), {})
    check(etc.get("configMap", {}).get("name") == "endstate-run",
          "shard Job: /etc/endstate is the configMap endstate-run")
    check(env.get("ENDSTATE_CONFIG", {}).get("value") ==
          "/etc/endstate/lab.yaml",
          "shard Job: ENDSTATE_CONFIG is lab.yaml of that configMap")
    work = env.get("ENDSTATE_WORK", {}).get("value")
    check("emptyDir" in volumes.get(mounts.get(work), {}),
          f"shard Job: ENDSTATE_WORK ({work}) is an emptyDir (live database "
          f"on local disk)")
    out = volumes.get(mounts.get("/out"), {})
    claim = out.get("persistentVolumeClaim", {}).get("claimName")
    check(claim == pvc["metadata"]["name"],
          f"shard Job: /out is the PVC {pvc['metadata']['name']} "
          f"(got {claim})")
    # The documented configmap holds lab.yaml and the shard script under
    # its file name, which must exist in deploy/.
    with open(shard_path, encoding="utf-8") as f:
        header = re.sub(r"\n#\s*", " ", f.read())
    check(re.search(r"kubectl create configmap endstate-run[\s\\]*"
                    r"--from-file=lab\.yaml[\s\\]*"
                    r"--from-file=deploy/endstate-shard\.sh", header)
          is not None and os.path.isfile(
              os.path.join(deploy, "endstate-shard.sh")),
          "the documented configmap holds lab.yaml and "
          "deploy/endstate-shard.sh, which exists")

    check([(d.get("apiVersion"), d.get("kind")) for d in merge_docs] ==
          [("batch/v1", "Job")], "k8s-merge-job.yaml: one batch/v1 Job")
    mpod = merge_docs[0]["spec"]["template"]["spec"]
    check(mpod.get("restartPolicy") in ("OnFailure", "Never"),
          "merge Job: restartPolicy OnFailure or Never")
    mc = mpod["containers"][0]
    script = "\n".join(mc.get("args", []))
    pattern = f"/out/shard-*-of-{completions}.db"
    check(pattern in script,
          f"merge Job: merges {pattern} (N = the shard Job's completions)")
    check(re.search(r"endstate report --db \S+", script) is not None,
          "merge Job: prints the report of the merged database")
    mmounts = {m["mountPath"]: m["name"] for m in mc.get("volumeMounts", [])}
    mvolumes = {v["name"]: v for v in mpod.get("volumes", [])}
    mclaim = mvolumes.get(mmounts.get("/out"), {}).get(
        "persistentVolumeClaim", {}).get("claimName")
    check(mclaim == pvc["metadata"]["name"],
          "merge Job: /out is the same PVC as the shards'")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("PASS: the Kubernetes manifests parse and fit together (not run "
          "on a cluster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
