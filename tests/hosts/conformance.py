#!/usr/bin/env python3
"""Host conformance suite: drives the real Claude Code, Codex CLI and Gemini CLI against a
scripted model server (model_server.py) and checks what Wazir's package and hooks make them do.

Run through run.sh, which installs the pinned clients and starts this program inside a network
namespace that has only loopback. Each case gets a scratch HOME, a fresh copy of
examples/tasks-api set up with `wazir init`, dummy API keys and its own model server on
127.0.0.1. The assertions read what the client sent back to the model (the server's request
log), the files, and the run ledger.

Prints one line per case and closes with `N passed, N failed`. Cases listed in
KNOWN_FAILURES are defects not fixed yet: they are run and reported on their own line, never
counted as passes; one that starts passing is reported as a failure until it leaves the list.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Defects whose cases still fail: `case id` -> why. Reported on every run.
KNOWN_FAILURES = {}

CLIENT_TIMEOUT = 90


class CaseFailed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CaseFailed(msg)


# ------------------------------------------------------------------------------------ setup


class Env:
    """One case's scratch world: HOME, the project, the model server and its request log."""

    def __init__(self, suite, client, case_id):
        self.suite = suite
        self.client = client
        self.root = tempfile.mkdtemp(prefix=f"wz-{client}-{case_id}-", dir=suite.work)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        self.project = os.path.join(self.root, "tasks-api")
        self.log = os.path.join(self.root, "requests.ndjson")
        self.server = None
        self.port = None
        self.out = ""
        self.err = ""
        self.rc = None

    # -- the project
    def init_project(self, hosts, extra_args=()):
        shutil.copytree(os.path.join(REPO, "examples", "tasks-api"), self.project)
        args = ["init", "."]
        for h in hosts:
            args += ["--host", h]
        r = self.wazir(*args, *extra_args)
        check(r.returncode == 0, f"wazir init failed: {r.stdout}{r.stderr}")
        self.init_output = r.stdout + r.stderr
        return r

    def wazir(self, *args, cwd=None, check_rc=False):
        r = subprocess.run([self.suite.wazir, *args], cwd=cwd or self.project, env=self.base_env(),
                           capture_output=True, text=True, timeout=120)
        if check_rc:
            check(r.returncode == 0, f"wazir {' '.join(args)} failed: {r.stdout}{r.stderr}")
        return r

    def base_env(self):
        path = os.pathsep.join([os.path.dirname(self.suite.wazir), self.suite.bin, "/usr/local/bin",
                                "/usr/bin", "/bin", "/usr/sbin", "/sbin"])
        return {"PATH": path, "HOME": self.home, "LANG": "C.UTF-8", "TERM": "dumb",
                "TMPDIR": self.root, "NO_COLOR": "1", "CI": "1"}

    # -- the model server
    def start_server(self, api, steps):
        steps_file = os.path.join(self.root, "steps.json")
        with open(steps_file, "w") as f:
            json.dump({"steps": steps}, f)
        port_file = os.path.join(self.root, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "model_server.py"), "--api", api, "--steps",
             steps_file, "--log", self.log, "--port-file", port_file],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.root, "server.err"), "w"))
        for _ in range(100):
            if os.path.exists(port_file):
                self.port = int(open(port_file).read())
                return
            time.sleep(0.05)
        raise CaseFailed("the model server did not start")

    def stop_server(self):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(5)
            except subprocess.TimeoutExpired:
                self.server.kill()

    def run_client(self, argv, env, cwd=None):
        e = self.base_env()
        e.update(env)
        p = subprocess.Popen(argv, cwd=cwd or self.project, env=e, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            self.out, self.err = p.communicate(timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            self.out, self.err = p.communicate()
            raise CaseFailed(f"{argv[0]} did not finish within {CLIENT_TIMEOUT}s")
        self.rc = p.returncode
        # Client helpers left behind (MCP, PTY sessions) belong to this case only.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.rc

    # -- what the client sent
    def requests(self):
        if not os.path.exists(self.log):
            return []
        return [json.loads(l) for l in open(self.log) if l.strip()]

    def agent_requests(self):
        return [r for r in self.requests() if r["body"].get("tools")]

    def sent_after(self, step):
        """JSON text of every agent request made after step `step` was served."""
        return [json.dumps(r["body"]) for r in self.agent_requests() if r["step"] > step]

    # -- the ledger
    def state_root(self):
        return os.path.join(self.project, ".wazir", "state")

    def events(self, run="r1"):
        d = self.run_dir(run)
        paths = [os.path.join(d, "events.ndjson")] if d else []
        out = []
        for p in paths:
            out += [json.loads(l) for l in open(p) if l.strip()]
        return out

    def run_dir(self, run="r1"):
        # The state root is outside the project by default (~/.wazir/projects/<name>).
        d = (glob.glob(os.path.join(self.home, ".wazir", "projects", "*", "runs", run))
             + glob.glob(os.path.join(self.project, ".wazir", "*", "runs", run)))
        return d[0] if d else None


def unescape(s):
    """Gemini HTML-escapes hook text; JSON escapes quotes. Compare on a plain reading."""
    return (s.replace("\\u0060", "`").replace("&#x60;", "`").replace("&#96;", "`")
            .replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&")
            .replace("&lt;", "<").replace("&gt;", ">"))


def mentions(texts, needle):
    return [t for t in texts if needle in unescape(t)]


# ---------------------------------------------------------------------------------- clients


class Client:
    name = ""
    api = ""
    hosts = ()

    def __init__(self, suite):
        self.suite = suite

    def write_step(self, path, content):
        raise NotImplementedError

    def shell_step(self, command):
        raise NotImplementedError

    def prepare(self, env):
        pass

    def run(self, env, prompt, steps, extra_args=()):
        env.start_server(self.api, steps)
        try:
            self.prepare(env)
            return self.invoke(env, prompt, extra_args)
        finally:
            env.stop_server()


class Claude(Client):
    name = "claude"
    api = "anthropic"
    hosts = ("claude",)

    def write_step(self, path, content):
        return {"tool": "Write", "args": {"file_path": path, "content": content}}

    def shell_step(self, command):
        return {"tool": "Bash", "args": {"command": command, "description": "run"}}

    def env(self, env):
        return {"ANTHROPIC_BASE_URL": f"http://127.0.0.1:{env.port}",
                "ANTHROPIC_API_KEY": "sk-ant-dummy-offline", "IS_SANDBOX": "1",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                "DISABLE_TELEMETRY": "1", "DISABLE_ERROR_REPORTING": "1"}

    def invoke(self, env, prompt, extra_args=()):
        argv = ["claude", "-p", prompt, "--dangerously-skip-permissions", "--output-format",
                "json", *extra_args]
        return env.run_client(argv, self.env(env))


class Codex(Client):
    name = "codex"
    api = "responses"
    hosts = ("codex",)
    trust_hooks = True

    def write_step(self, path, content):
        body = "".join("+" + l + "\n" for l in content.splitlines())
        rel = os.path.relpath(path, self.suite_project) if os.path.isabs(path) else path
        patch = f"*** Begin Patch\n*** Add File: {rel}\n{body}*** End Patch\n"
        if os.path.exists(path):
            patch = (f"*** Begin Patch\n*** Update File: {rel}\n@@\n"
                     + "".join("-" + l + "\n" for l in open(path).read().splitlines())
                     + body + "*** End Patch\n")
        return {"tool": "apply_patch", "custom": True, "args": patch}

    def shell_step(self, command):
        # Not a login shell: a login shell's profile resets PATH, and the agent's `wazir` is the
        # one on the PATH the client was started with.
        return {"tool": "exec_command", "args": {"cmd": command, "login": False}}

    def codex_home(self, env):
        return os.path.join(env.root, "codex-home")

    def config(self, env, extra=""):
        return (f'{getattr(env, "codex_extra", "")}'
                f'model = "gpt-5.5"\nmodel_provider = "scripted"\n'
                f'[model_providers.scripted]\nname = "scripted"\n'
                f'base_url = "http://127.0.0.1:{env.port}/v1"\nwire_api = "responses"\n'
                f'env_key = "OPENAI_API_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0\n'
                f'{getattr(env, "codex_tail", "")}{extra}')

    def prepare(self, env):
        home = self.codex_home(env)
        os.makedirs(home, exist_ok=True)
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write(self.config(env))
        for argv in getattr(self, "before_trust", []):
            e = env.base_env()
            e.update(self.env(env))
            r = subprocess.run(argv, cwd=env.project, env=e, capture_output=True, text=True,
                               timeout=60)
            check(r.returncode == 0, f"{' '.join(argv)} failed: {r.stdout}{r.stderr}")
        if self.trust_hooks:
            trust_codex_project(env, self, home)

    def env(self, env):
        return {"CODEX_HOME": self.codex_home(env), "OPENAI_API_KEY": "sk-dummy-offline"}

    def invoke(self, env, prompt, extra_args=()):
        argv = ["codex", "exec", "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox", *extra_args, prompt]
        return env.run_client(argv, self.env(env))


class Gemini(Client):
    name = "gemini"
    api = "gemini"
    hosts = ("gemini",)

    def write_step(self, path, content):
        return {"tool": "write_file", "args": {"file_path": path, "content": content}}

    def shell_step(self, command):
        return {"tool": "run_shell_command", "args": {"command": command, "description": "run"}}

    def prepare(self, env):
        d = os.path.join(env.home, ".gemini")
        os.makedirs(d, exist_ok=True)
        settings = {"security": {"auth": {"selectedType": "gemini-api-key"},
                                 "folderTrust": {"enabled": False}},
                    "privacy": {"usageStatisticsEnabled": False},
                    "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
                    "telemetry": {"enabled": False}}
        with open(os.path.join(d, "settings.json"), "w") as f:
            json.dump(settings, f)

    def env(self, env):
        return {"GEMINI_API_KEY": "dummy-offline-key",
                "GOOGLE_GEMINI_BASE_URL": f"http://127.0.0.1:{env.port}"}

    def invoke(self, env, prompt, extra_args=()):
        argv = ["gemini", "-p", prompt, "--yolo", "-o", "json", *extra_args]
        return env.run_client(argv, self.env(env))


def trust_codex_project(env, client, home):
    """Codex runs project hooks only for a trusted project and trusted hook hashes. Ask the
    app-server for every hook's key and current hash (`hooks/list`) and trust them, as a user
    would in the /hooks dialog."""
    lines = f'\n[projects."{env.project}"]\ntrust_level = "trusted"\n'
    cfg = os.path.join(home, "config.toml")
    base = open(cfg).read() if os.path.exists(cfg) else client.config(env)
    with open(cfg, "w") as f:
        f.write(base + lines)
    hooks = codex_hooks_list(env, client)
    trusted = ""
    for h in hooks:
        key = h.get("key")
        digest = h.get("currentHash") or h.get("current_hash") or h.get("hash")
        if key and digest:
            # A plugin hook's currentHash reads `<hook hash>/<plugin hash>`; Codex 0.171.0 counts
            # it trusted when trusted_hash holds the first part (the whole string reads
            # "modified").
            digest = digest.split("/")[0]
            trusted += f'\n[hooks.state."{key}"]\ntrusted_hash = "{digest}"\n'
    with open(cfg, "a") as f:
        f.write(trusted)
    env.codex_hooks = hooks
    return lines + trusted


def codex_hooks_list(env, client):
    e = env.base_env()
    e.update(client.env(env))
    p = subprocess.Popen(["codex", "app-server"], cwd=env.project, env=e, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         start_new_session=True)

    def send(obj):
        p.stdin.write(json.dumps(obj) + "\n")
        p.stdin.flush()

    def wait_for(i):
        deadline = time.time() + 30
        while time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("id") == i:
                return m
        raise CaseFailed(f"codex app-server gave no answer to request {i}")

    try:
        send({"id": 1, "method": "initialize", "params": {
            "clientInfo": {"name": "wazir-conformance", "version": "1"}}})
        wait_for(1)
        send({"method": "initialized"})
        send({"id": 2, "method": "hooks/list", "params": {"cwds": [env.project]}})
        m = wait_for(2)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    with open(os.path.join(env.root, "hooks-list.json"), "w") as f:
        json.dump(m, f, indent=1)
    if "error" in m:
        raise CaseFailed(f"codex hooks/list failed: {m['error']}")
    res = m.get("result", {})
    out = []

    def walk(x):
        if isinstance(x, dict):
            if "key" in x and any(k in x for k in ("currentHash", "current_hash", "hash")):
                out.append(x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(res)
    return out


# ------------------------------------------------------------------------------------ cases

CASES = []


def case(case_id, clients=("claude", "codex", "gemini"), defect=None):
    def deco(fn):
        for c in clients:
            CASES.append((c, case_id, fn, defect))
        return fn
    return deco


def start_run(env, phase):
    env.wazir("capture", "init", "--run", "r1", "--phase", phase, check_rc=True)


PROTECTED = "roles/reviewer.md"


def project_file(env, rel):
    for cand in (os.path.join(env.project, rel), os.path.join(env.project, ".wazir", rel)):
        if os.path.exists(cand):
            return cand
    return os.path.join(env.project, rel)


@case("load-and-session-start")
def c_load(client, env):
    env.init_project(client.hosts)
    client.run(env, "Say hello.", [{"text": "hello"}])
    check(env.rc == 0, f"client exited {env.rc}: {env.err[-800:]}")
    reqs = env.agent_requests()
    check(reqs, "the client sent no agent request")
    first = json.dumps(reqs[0]["body"])
    check("Wazir session:" in unescape(first),
          "the session-start context (\"Wazir session:\") did not reach the model")
    check("receiving-code-review" in first, "the package's skills are not offered to the model")


@case("protected-write-file")
def c_protected_file(client, env):
    env.init_project(client.hosts)
    target = project_file(env, PROTECTED)
    before = open(target).read()
    if isinstance(client, Codex):
        client.suite_project = env.project
    step = client.write_step(target, "overwritten by the agent\n")
    client.run(env, "Edit the role.", [step, {"text": "done"}])
    check(open(target).read() == before, f"{PROTECTED} was changed")
    check(mentions(env.sent_after(0), "Wazir protected-path guard"),
          "the guard's reason did not come back to the model")


@case("protected-write-shell")
def c_protected_shell(client, env):
    env.init_project(client.hosts)
    target = project_file(env, PROTECTED)
    before = open(target).read()
    rel = os.path.relpath(target, env.project)
    client.run(env, "Edit the role.", [client.shell_step(f"echo pwned > {rel}"), {"text": "done"}])
    check(open(target).read() == before, f"{rel} was changed by the shell")
    check(mentions(env.sent_after(0), "Wazir protected-path guard"),
          "the guard's reason did not come back to the model")


@case("ordinary-write")
def c_ordinary(client, env):
    env.init_project(client.hosts)
    # `wazir init` writes strict enforcement: a project write goes through inside a run's
    # writing phase (execute writes everything).
    start_run(env, "execute")
    if isinstance(client, Codex):
        client.suite_project = env.project
    target = os.path.join(env.project, "notes.txt")
    client.run(env, "Write notes.", [client.write_step(target, "plain note"), {"text": "done"}])
    check(os.path.exists(target) and "plain note" in open(target).read(),
          "an ordinary write did not go through")
    check(not mentions(env.sent_after(0), "Wazir protected-path guard"),
          "the guard objected to an ordinary write")


@case("stop-refusal-once")
def c_stop(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "Finish.", [{"text": "done"}, {"text": "done again"}, {"text": "third"}])
    check(env.rc == 0, f"client exited {env.rc}: {env.err[-800:]}")
    got = mentions([json.dumps(r["body"]) for r in env.agent_requests()], "Wazir stop guard")
    n = len(env.agent_requests())
    check(len(got) >= 1, "the stop refusal did not reach the model")
    check(n == 2, f"expected 2 agent turns (refused stop, then a stop that ends), got {n}")
    refused = [e for e in env.events() if e.get("event") == "stop"]
    check(refused, "no stop event in the ledger")


@case("loop-cap")
def c_loop_cap(client, env):
    env.init_project(client.hosts)
    setup_loop_cap(env)
    cmd = "wazir capture event --event phase_enter --phase discover"
    client.run(env, "Loop again.", [client.shell_step(cmd), {"text": "done"}])
    check(mentions(env.sent_after(0), "Wazir loop-cap guard"),
          "the loop-cap reason did not come back to the model")
    entered = [e for e in env.events() if e.get("event") == "phase_enter"]
    check(len(entered) <= env.loop_cap_entries, "the capped phase was entered again")


def setup_loop_cap(env):
    """A run whose `discover` phase (loop_cap 2) has used both iterations."""
    start_run(env, "discover")
    # Fixture: mark both iterations used and the phase exited in the ledger's status.json
    # (recording the real outputs of two discover iterations would test the ledger, not hosts).
    status = os.path.join(env.run_dir(), "status.json")
    st = json.load(open(status))
    st["loops"]["discover"] = 2
    st["phases"]["discover"]["state"] = "exited"
    with open(status, "w") as f:
        json.dump(st, f)
    env.loop_cap_entries = len([e for e in env.events() if e.get("event") == "phase_enter"])
    r = env.wazir("capture", "loop-check", "--phase", "discover")
    check(r.returncode == 1, f"setup: discover is not at its cap: {r.stdout}{r.stderr}")


@case("capture-recorded")
def c_capture(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "List.", [client.shell_step("seq 1 4000"), {"text": "done"}])
    caps = [e for e in env.events() if e.get("event") == "post_tool_capture"]
    check(caps, "no post_tool_capture event in the ledger")
    files = glob.glob(os.path.join(env.run_dir(), "captures", "*"))
    check(any(os.path.getsize(f) > 8192 for f in files), "the large output was not stored")


SEQ_OUTPUT = "".join(f"{i}\n" for i in range(1, 5001))


def capture_seq(client, env, command="seq 1 5000"):
    """Runs `command` (`seq 1 5000`) in an execute phase; returns the capture file's text and the
    `capture usage --json` report."""
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "List.", [client.shell_step(command), {"text": "done"}, {"text": "done"}])
    caps = [e for e in env.events() if e.get("event") == "post_tool_capture"
            and (e.get("data") or {}).get("capture")]
    check(caps, "the seq output was not captured")
    path = os.path.join(env.run_dir(), "captures", caps[0]["data"]["capture"])
    usage = env.wazir("--json", "capture", "usage", check_rc=True)
    return open(path).read(), json.loads(usage.stdout), caps[0]


@case("capture-kept-out", clients=("claude",))
def c_capture_kept_out(client, env):
    """Claude Code replaces a large shell output with the capture reference (updatedToolOutput):
    the model gets at most 2,000 characters of `seq 1 5000` and the whole output is in the file."""
    text, usage, cap = capture_seq(client, env)
    check(SEQ_OUTPUT.rstrip("\n") in text,
          f"the capture file does not hold the whole output ({len(text)} chars)")
    after = [r["body"] for r in env.agent_requests() if r["step"] > 0]
    check(after, "no request after the shell call")
    results = tool_results(env.log)
    check(results, "no request carries the shell call's result")
    got = results[0]
    check(len(got) <= 2000, f"the model received {len(got)} characters of the seq output")
    check("captures" in got and "5000" in got, f"the reference is not what the model got: {got[:300]}")
    check("\n2500\n" not in unescape(json.dumps(after[0])).replace("\\n", "\n"),
          "the middle of the output still reached the model")
    rows = [d for d in usage["deliveries"] if d["host"] == "claude"]
    check(rows and rows[0]["delivery"] == "replaced" and usage["total"]["capture"]["avoided_tokens"] > 0,
          f"capture usage does not count the replaced output as avoided: {usage['deliveries']}")


@case("capture-routed", clients=("gemini",))
def c_capture_routed(client, env):
    """Gemini runs the shell command a BeforeTool hook hands back: capture routing wraps
    `seq 1 5000` in `wazir capture run`, so the model gets at most 2,000 characters, the whole
    output is in the capture file, and `capture usage` counts it as piped and avoided. A short
    command's output comes back whole, and its exit code is kept."""
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "List.", [client.shell_step("seq 1 5000"),
                              client.shell_step("echo short-output; exit 3"),
                              {"text": "done"}, {"text": "done"}])
    caps = [e for e in env.events() if e.get("event") == "capture_output"]
    check(caps and caps[0]["data"].get("delivery") == "piped",
          f"the seq output was not captured by capture run: {caps}")
    text = open(os.path.join(env.run_dir(), "captures", caps[0]["data"]["capture"])).read()
    check(SEQ_OUTPUT.rstrip("\n") in text,
          f"the capture file does not hold the whole output ({len(text)} chars)")
    results = tool_results(env.log)
    check(len(results) >= 2, f"the model did not get both shell results: {results}")
    check(len(results[0]) <= 2000, f"the model received {len(results[0])} characters of the seq output")
    check("captures" in results[0] and "5000" in results[0] and "\n2500\n" not in results[0],
          f"the reference is not what the model got: {results[0][:300]}")
    check("short-output" in results[1] and "3" in results[1],
          f"the short command's output or exit code did not come back: {results[1][:300]}")
    usage = json.loads(env.wazir("--json", "capture", "usage", check_rc=True).stdout)
    rows = [d for d in usage["deliveries"] if d["host"] == "gemini"]
    check(rows and rows[0]["delivery"] == "piped" and usage["total"]["capture"]["avoided_tokens"] > 0,
          f"capture usage does not count the routed output as avoided: {usage['deliveries']}")


@case("capture-sent-counts-nothing", clients=("codex", "gemini"))
def c_capture_sent(client, env):
    """Codex sends the whole output to the model whatever the hook answers, and so does Gemini
    for a command capture routing leaves alone (here one with a background job): the capture
    counts 0 tokens avoided, and the report says the host sent it."""
    command = "seq 1 5000 & wait" if isinstance(client, Gemini) else "seq 1 5000"
    text, usage, cap = capture_seq(client, env, command)
    check(SEQ_OUTPUT.rstrip("\n") in text,
          f"the capture file does not hold the whole output ({len(text)} chars)")
    sent = [r for r in tool_results(env.log) if len(r) > 2000]
    check(sent, "the host did not send the output to the model (the case's premise changed)")
    check(usage["total"]["capture"]["avoided_tokens"] == 0,
          f"capture usage counts {usage['total']['capture']['avoided_tokens']} tokens avoided")
    rows = [d for d in usage["deliveries"] if d["host"] == client.name]
    check(rows and all(d["delivery"] == "sent" for d in rows),
          f"capture usage does not say the host sent the output: {usage['deliveries']}")


# Most characters Wazir may add to the model's first request on a host (issue 20).
FOOTPRINT_LIMIT = 6000
FOOTPRINT = {}


def request_text(body):
    """Every string in a request body (system prompt, messages, tool names and descriptions,
    schemas), joined by newlines: what the model reads, without JSON quoting."""
    out = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(body)
    return "\n".join(out)


def count_tokens(env, text):
    r = subprocess.run([env.suite.wazir, "--json", "capture", "count-tokens"], input=text,
                       capture_output=True, text=True, env=env.base_env(), timeout=60)
    check(r.returncode == 0, f"wazir capture count-tokens failed: {r.stderr}")
    return json.loads(r.stdout)["tokens"]


@case("footprint")
def c_footprint(client, env):
    """The first request to the model in examples/tasks-api with and without `wazir init`: the
    growth is what every session pays for Wazir, at most FOOTPRINT_LIMIT characters."""
    bare = Env(env.suite, client.name, "footprint")
    shutil.copytree(os.path.join(REPO, "examples", "tasks-api"), bare.project)
    if isinstance(client, Codex):
        client.suite_project = bare.project
    client.run(bare, "Say hello.", [{"text": "hello"}])
    check(bare.rc == 0, f"client exited {bare.rc} without wazir: {bare.err[-800:]}")
    env.init_project(client.hosts)
    client.run(env, "Say hello.", [{"text": "hello"}])
    check(env.rc == 0, f"client exited {env.rc} with wazir: {env.err[-800:]}")
    firsts = []
    for e in (bare, env):
        reqs = e.agent_requests()
        check(reqs, "the client sent no agent request")
        # The scratch folders differ only in their random suffix, of the same length.
        body = json.loads(json.dumps(reqs[0]["body"]).replace(e.root, "/ROOT"))
        firsts.append(body)
    for name, body in zip(("without", "with"), firsts):
        with open(os.path.join(env.root, f"first-request-{name}.json"), "w") as f:
            json.dump(body, f, indent=1)
    if isinstance(client, Gemini):
        # Gemini lists each enabled skill in the system prompt; the manifest's on-demand skills
        # are turned off in .gemini/settings.json and read from .wazir/skills/ when named.
        listed = set(re.findall(r"<name>([^<]+)</name>", json.dumps(firsts[1])))
        check("using-skills" in listed and "tdd" in listed,
              f"Gemini does not list the everyday skills: {sorted(listed)}")
        check("executing-plans" not in listed,
              f"Gemini lists the on-demand skill executing-plans: {sorted(listed)}")
        check("Project folder `/ROOT/tasks-api`" in request_text(firsts[1]),
              "the session-start context does not name the project folder")
    texts = [request_text(b) for b in firsts]
    chars = [len(t) for t in texts]
    tokens = [count_tokens(env, t) for t in texts]
    FOOTPRINT[client.name] = (chars, tokens)
    shutil.rmtree(bare.root, ignore_errors=True)
    check(chars[1] - chars[0] <= FOOTPRINT_LIMIT,
          f"wazir adds {chars[1] - chars[0]} characters ({tokens[1] - tokens[0]} o200k tokens) "
          f"to the first request, over {FOOTPRINT_LIMIT}; both requests are in {env.root}")


def footprint_table():
    lines = ["footprint of the first request (characters / o200k tokens):",
             f"  {'host':<8} {'without':>16} {'with wazir':>16} {'added':>16}"]
    for host in sorted(FOOTPRINT):
        (c0, c1), (t0, t1) = FOOTPRINT[host]
        lines.append(f"  {host:<8} {f'{c0:,} / {t0:,}':>16} {f'{c1:,} / {t1:,}':>16} "
                     f"{f'{c1 - c0:,} / {t1 - t0:,}':>16}")
    return "\n".join(lines)


@case("pre-compact-recorded")
def c_pre_compact(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    compact_session(client, env)
    pc = [e for e in env.events() if e.get("event") == "pre_compact"]
    check(pc, "no pre_compact event in the ledger")


def compact_session(client, env):
    """Make the client compact its context once."""
    if client.name == "claude":
        # A session with one turn, then `/compact` on it (a manual compaction).
        client.run(env, "Say hello.", [{"text": "hello"}, {"text": "summary"}, {"text": "ok"}])
        env.start_server(client.api, [{"text": "summary"}, {"text": "ok"}])
        try:
            client.invoke(env, "/compact", ("--continue",))
        finally:
            env.stop_server()
    elif client.name == "codex":
        # Auto-compaction once the reported usage passes a tiny limit.
        env.codex_extra = "model_auto_compact_token_limit = 50\n"
        client.run(env, "Work.", [client.shell_step("echo hi"), {"text": "done"}, {"text": "done"}])
    else:
        # Gemini: `/compress` in the interactive UI (in `-p` mode the SessionStart context is
        # put before the prompt, which is then no longer a command), after a first turn large
        # enough that compressing it is worth it.
        steps = ([client.shell_step("seq 1 30000"), {"text": "done one"}, {"text": "done one b"},
                  client.shell_step("echo small"), {"text": "done two"}, {"text": "done two b"}]
                 + [{"text": "more"}] * 6)
        screen = gemini_interactive(client, env, keys=["list numbers", "say more", "and more",
                                                       "/compress"], steps=steps)
        check("Chat history compressed" in screen,
              "gemini did not compress: " + " | ".join(
                  l.strip() for l in screen.splitlines() if "ompress" in l)[-300:])
        pc = [e for e in env.events() if e.get("event") == "pre_compact"]
        check(len(pc) == 1, f"one compaction was recorded {len(pc)} times")


# ------------------------------------------------------------- enforcement (issue 19)


def tool_results(log):
    """The text of every tool result the client sent back to the model, in the order of the
    script's tool steps, read from the agent request of `log` that carries the most of them
    (each request carries the conversation so far)."""
    best = []
    reqs = [json.loads(l) for l in open(log) if l.strip()] if os.path.exists(log) else []
    for r in reqs:
        body, out = r["body"], []
        if not body.get("tools"):
            continue
        for m in body.get("messages") or []:  # Anthropic Messages
            if isinstance(m.get("content"), list):
                out += [b.get("content") for b in m["content"] if b.get("type") == "tool_result"]
        for it in body.get("input") or []:  # OpenAI Responses
            if isinstance(it, dict) and str(it.get("type", "")).endswith("call_output"):
                out.append(it.get("output"))
        for c in body.get("contents") or []:  # Gemini
            out += [p["functionResponse"].get("response") for p in c.get("parts", [])
                    if "functionResponse" in p]
        if len(out) > len(best):
            best = out
    return [unescape(t if isinstance(t, str) else json.dumps(t)) for t in best]


def run_dirs(env):
    return [d for d in glob.glob(os.path.join(env.home, ".wazir", "projects", "*", "runs", "*"))
            if os.path.isdir(d)]


def run_events(d):
    return [json.loads(l) for l in open(os.path.join(d, "events.ndjson")) if l.strip()]


def clarify_artifacts(env, run_id):
    """The two outputs `clarify` requires, as the agent would have written them: the kit's
    examples with this run's id, outside the project."""
    files = {}
    for name in ("run-manifest", "clarification"):
        with open(os.path.join(REPO, "kit", "templates", "examples", f"{name}.example.json")) as f:
            doc = json.load(f)
        doc["run_id"] = run_id
        files[name] = os.path.join(env.root, f"{name}.json")
        with open(files[name], "w") as f:
            json.dump(doc, f)
    return files


def client_turn(client, env, prompt, steps, n):
    """One client session; its request log is kept as requests-<n>.ndjson. Returns the tool
    results the client sent back."""
    client.run(env, prompt, steps)
    kept = os.path.join(env.root, f"requests-{n}.ndjson")
    if os.path.exists(env.log):
        os.replace(env.log, kept)
    check(env.rc == 0, f"session {n}: client exited {env.rc}: {env.err[-800:]}")
    return tool_results(kept)


@case("enforce-sequence")
def c_enforce(client, env):
    """Strict mode (what `wazir init` writes), played end to end: a project write with no run
    is refused and names `wazir capture ensure`; the agent runs it; a write in `clarify` is
    refused and names `execute`; the user's `wazir allow:` prompt lifts the rule (an `override`
    event); the next phase change ends it; the real ledger commands move the run to `execute`,
    where the write goes through."""
    env.init_project(client.hosts)
    manifest = open(os.path.join(env.project, "wazir.manifest.yaml")).read()
    check(re.search(r"enforcement:\s*\n\s*mode: strict", manifest),
          "wazir init did not write strict enforcement")
    client.suite_project = env.project
    notes = os.path.join(env.project, "app", "notes.txt")
    hotfix = os.path.join(env.project, "app", "hotfix.txt")

    # Session 1: refused with no run; the agent starts one; refused in clarify.
    got = client_turn(client, env, "Add a notes file.", [
        client.write_step(notes, "first try"),
        client.shell_step('wazir capture ensure --request "add a notes file"'),
        client.write_step(notes, "second try"),
        {"text": "waiting for the pipeline"},
    ], 1)
    check(len(got) >= 3, f"expected 3 tool results, the client sent {len(got)}: {got}")
    check("no Wazir run is active" in got[0] and "wazir capture ensure" in got[0],
          f"the no-run refusal did not reach the model: {got[0][:600]}")
    check(not os.path.exists(notes), "a project write went through with no run")
    runs = run_dirs(env)
    check(len(runs) == 1, f"`wazir capture ensure` run by the agent left {len(runs)} runs")
    run_id = os.path.basename(runs[0])
    check(run_id.endswith("-add-a-notes-file"), f"unexpected run id {run_id}")
    st = json.load(open(os.path.join(runs[0], "status.json")))
    check(st["phase"] == "clarify", f"the new run is in {st['phase']}, not clarify")
    check(f"run `{run_id}` is in phase `clarify`" in got[2] and "`execute` may write it" in got[2],
          f"the clarify refusal did not name the run and `execute`: {got[2][:600]}")

    # Session 2: the user's override lifts the rule.
    reason = "the user wants the hotfix file before the run reaches execute"
    got = client_turn(client, env, f"wazir allow: {reason}", [
        client.write_step(hotfix, "written under the override"),
        {"text": "done"},
    ], 2)
    check(os.path.exists(hotfix), f"the write under the user's override did not go through: {got}")
    check(got and "Wazir write rule" not in got[0], f"the write was refused: {got[:1]}")
    ov = [e for e in run_events(runs[0]) if e.get("event") == "override"]
    check(len(ov) == 1 and ov[0].get("message") == reason,
          f"the override is not in the ledger as the user gave it: {ov}")
    check(json.load(open(os.path.join(runs[0], "status.json"))).get("write_override"),
          "status.json holds no override in force")

    # Session 3: the real ledger commands; the phase change ends the override; execute writes.
    arts = clarify_artifacts(env, run_id)
    got = client_turn(client, env, "Carry on to execute.", [
        client.shell_step("wazir capture artifact --phase clarify --name run-manifest --file "
                          + arts["run-manifest"]),
        client.shell_step("wazir capture artifact --phase clarify --name clarification --file "
                          + arts["clarification"]),
        client.shell_step("wazir capture event --event phase_exit --phase clarify"),
        client.write_step(notes, "third try"),
        client.shell_step("wazir capture event --event phase_enter --phase execute"),
        client.write_step(notes, "written in execute"),
        {"text": "done"},
    ], 3)
    check(len(got) >= 6, f"expected 6 tool results, the client sent {len(got)}: {got}")
    check("Wazir write rule" in got[3] and "phase_enter --phase discover" in got[3],
          f"after the phase change the override still held: {got[3][:600]}")
    check(os.path.exists(notes) and "written in execute" in open(notes).read(),
          f"the write in execute did not go through: {got[5][:600]}")
    ev = run_events(runs[0])
    entered = [e.get("phase") for e in ev if e.get("event") == "phase_enter"]
    check(entered[-1:] == ["execute"], f"the run did not enter execute: {entered}")
    st = json.load(open(os.path.join(runs[0], "status.json")))
    check(st["phase"] == "execute" and not st.get("write_override"),
          f"status after the moves: phase {st['phase']}, override {st.get('write_override')}")


# ------------------------------------------------------------------- defects (issue 18)


@case("d1-claude-marketplace-under-codex", clients=("codex",), defect=1)
def d1(client, env):
    """Codex accepts the repository's Claude Code marketplace and runs the plugin's hooks with
    the commands written for Claude: a `--host claude` guard receives Codex payloads and must
    still read `apply_patch`."""
    env.init_project(("claude",))
    env.codex_tail = "[features]\nplugin_hooks = true\n"
    client.before_trust = [
        ["codex", "plugin", "marketplace", "add", REPO],
        ["codex", "plugin", "add", "wazir@wazir"],
    ]
    target = project_file(env, PROTECTED)
    before = open(target).read()
    client.suite_project = env.project
    client.run(env, "Edit the role.", [client.write_step(target, "patched\n"), {"text": "done"}])
    plugin_hooks = [h for h in env.codex_hooks if h.get("source") == "plugin"
                    and "--host claude" in h.get("command", "")]
    check(plugin_hooks, "codex lists no hooks of the Claude plugin")
    check(open(target).read() == before, "an apply_patch into a protected path went through")
    check(mentions(env.sent_after(0), "Wazir protected-path guard"),
          "the guard's reason did not come back to the model")


@case("d2-plugin-validates-strict", clients=("claude",), defect=2)
def d2(client, env):
    plugin = os.path.join(REPO, "kit", "exports", "hosts", "claude")
    env.run_client(["claude", "plugin", "validate", "--strict", plugin], {"IS_SANDBOX": "1"},
                   cwd=env.root)
    check(env.rc == 0, f"`claude plugin validate --strict` failed: {(env.out + env.err)[-1200:]}")


@case("d3-plugin-and-project-hooks-act-once", clients=("claude",), defect=3)
def d3(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    plugin = os.path.join(REPO, "kit", "exports", "hosts", "claude")
    client.run(env, "Work.", [client.shell_step("echo hello"), {"text": "done"},
                              {"text": "done again"}, {"text": "third"}],
               extra_args=("--plugin-dir", plugin))
    check(env.rc == 0, f"client exited {env.rc}: {env.err[-800:]}")
    ev = env.events()
    caps = [e for e in ev if e.get("event") == "post_tool_capture"]
    stops = [e for e in ev if e.get("event") == "stop"]
    first = unescape(json.dumps(env.agent_requests()[0]["body"]))
    check(first.count("Wazir session:") == 1,
          f"session-start context reached the model {first.count('Wazir session:')} times")
    check(len(caps) == 1, f"one shell call was captured {len(caps)} times")
    check(len(env.agent_requests()) == 3, f"expected 3 agent turns, got {len(env.agent_requests())}")
    refused = [e for e in stops if (e.get("data") or {}).get("refused")]
    check(len(refused) == 1, f"one refused stop was recorded {len(refused)} times")


@case("d4-command-and-skill-names-unique", defect=4)
def d4(client, env):
    env.init_project(client.hosts)
    p = env.project
    if client.name == "claude":
        cmds = [os.path.basename(x)[:-3] for x in glob.glob(f"{p}/.claude/commands/**/*.md", recursive=True)]
        skills = [os.path.basename(os.path.dirname(x)) for x in glob.glob(f"{p}/.claude/skills/*/SKILL.md")]
    elif client.name == "gemini":
        cmds = [os.path.relpath(x, f"{p}/.gemini/commands")[:-5].replace(os.sep, ":")
                for x in glob.glob(f"{p}/.gemini/commands/**/*.toml", recursive=True)]
        skills = [os.path.basename(os.path.dirname(x)) for x in glob.glob(f"{p}/.gemini/skills/*/SKILL.md")]
        skills += [os.path.basename(os.path.dirname(x)) for x in glob.glob(f"{p}/.agents/skills/*/SKILL.md")]
    else:
        cmds = [os.path.basename(x)[:-3] for x in glob.glob(f"{p}/.codex/prompts/*.md")]
        skills = [os.path.basename(os.path.dirname(x)) for x in glob.glob(f"{p}/.agents/skills/*/SKILL.md")]
    check(skills, "the package installs no skills")
    both = sorted(set(cmds) & set(skills))
    check(not both, f"names shared by a command and a skill: {', '.join(both)}")


def gemini_interactive(client, env, keys=(), startup=40, steps=None):
    """Start Gemini CLI's interactive UI on a pseudo-terminal, wait until it says it is ready,
    type each of `keys` (a line each), then `/quit`. Returns the screen output as text."""
    import pty
    import select
    env.start_server(client.api, steps if steps is not None else [{"text": "done"}] * 4)
    try:
        client.prepare(env)
        e = env.base_env()
        e.update(client.env(env))
        e["TERM"] = "xterm-256color"
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(env.project)
            os.execvpe("gemini", ["gemini", "--yolo"], e)
        out = b""

        def pump(seconds, until=None):
            nonlocal out
            end = time.time() + seconds
            while time.time() < end:
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        return
                if until and until in out:
                    return

        def settle(quiet=3.0, longest=90.0):
            """Read until the screen has not changed for `quiet` seconds: Gemini's spinner
            redraws while a turn runs, so a still screen means it waits for input."""
            nonlocal out
            end = time.time() + longest
            last = time.time()
            while time.time() < end and time.time() - last < quiet:
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        return
                    last = time.time()

        pump(startup, b"Ready (")
        check(b"Ready (" in out, f"gemini's interactive UI did not get ready in {startup}s")
        settle()
        for k in [*keys, "/quit"]:
            os.write(fd, k.encode())
            pump(0.5)
            os.write(fd, b"\r")
            settle()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    finally:
        env.stop_server()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", out.decode("utf-8", "replace"))
    with open(os.path.join(env.root, "screen.txt"), "w") as f:
        f.write(text)
    return text


@case("d4-gemini-commands-not-renamed", clients=("gemini",), defect=4)
def d4_gemini(client, env):
    """At interactive start-up Gemini renames a command that clashes with a skill or with one
    of its built-in commands (`/plan`), and says so."""
    env.init_project(client.hosts)
    screen = gemini_interactive(client, env)
    lines = sorted({l.strip() for l in screen.splitlines() if "renamed" in l or "onflict" in l})
    check(not lines, f"gemini renamed commands at start-up: {lines[:4]}")


@case("d5-doctor-checks-codex-trust", clients=("codex",), defect=5)
def d5(client, env):
    """Codex runs project hooks only for a trusted project whose hook hashes are recorded;
    `codex exec` never asks. Init's note and doctor must say so, with the exact steps."""
    env.init_project(client.hosts)
    note = env.init_output
    check("trust_level" in note and re.search(r"(?<![\w.])/hooks\b", note),
          "init's closing note does not name both steps: the project's trust_level and the "
          "hook hashes approved in Codex's /hooks")
    env.start_server(client.api, [])
    home = client.codex_home(env)
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write(client.config(env))

    def doctor_trust():
        r = subprocess.run([env.suite.wazir, "doctor", "--json"], cwd=env.project,
                           env={**env.base_env(), "CODEX_HOME": home}, capture_output=True,
                           text=True)
        try:
            d = json.loads(r.stdout)
        except ValueError:
            raise CaseFailed(f"doctor --json printed no JSON: {r.stdout[-500:]}{r.stderr[-500:]}")
        areas = [a for a in d.get("areas", []) if "trust" in a.get("area", "")]
        found = [f for f in d.get("findings", []) if "trust" in f.get("area", "")]
        return areas, found

    areas, found = doctor_trust()
    check(areas and areas[0]["result"] != "ok" and found,
          f"doctor says ok for an untrusted Codex project: {areas}")
    fixes = " ".join(f["fix"] for f in found)
    check("trust_level" in fixes and "/hooks" in fixes,
          f"doctor's fix does not give both steps: {fixes}")
    extra = trust_codex_project(env, client, home)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write(client.config(env, extra))
    areas, found = doctor_trust()
    check(areas and areas[0]["result"] == "ok" and not found,
          f"doctor still reports Codex trust once project and hooks are trusted: {found}")


@case("d6-precompress-without-compression", clients=("gemini",), defect=6)
def d6(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "Work.", [client.shell_step("echo one"), client.shell_step("echo two"),
                              {"text": "done"}, {"text": "done"}])
    pc = [e for e in env.events() if e.get("event") == "pre_compact"]
    check(not pc, f"{len(pc)} compactions recorded, none happened")


@case("d7-blocked-shell-leaves-no-capture", defect=7)
def d7(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    target = project_file(env, PROTECTED)
    rel = os.path.relpath(target, env.project)
    client.run(env, "Edit.", [client.shell_step(f"echo pwned > {rel}"), {"text": "done"},
                              {"text": "done"}])
    check(mentions(env.sent_after(0), "Wazir protected-path guard"), "the call was not blocked")
    routed = [e for e in env.events() if e.get("event") == "capture_routed"]
    empty = [f for f in glob.glob(os.path.join(env.run_dir(), "captures", "*")) if os.path.getsize(f) == 0]
    check(not routed and not empty,
          f"a blocked call left {len(routed)} capture_routed events and {len(empty)} empty capture files")


@case("d8-gemini-block-without-hook-warning", clients=("gemini",), defect=8)
def d8(client, env):
    env.init_project(client.hosts)
    target = project_file(env, PROTECTED)
    before = open(target).read()
    client.run(env, "Edit.", [client.write_step(target, "x\n"), {"text": "done"}])
    check(open(target).read() == before, "the protected file changed")
    check(mentions(env.sent_after(0), "Wazir protected-path guard"), "the reason did not reach the model")
    warn = [l for l in (env.err + env.out).splitlines()
            if re.search(r"Hook\(s\) .*failed|Hook execution for .*[1-9][0-9]* failed", l)]
    check(not warn, f"the user was shown a failed-hook warning: {warn[:3]}")


@case("d9-prompt-context", defect=9)
def d9(client, env):
    env.init_project(client.hosts)
    start_run(env, "execute")
    client.run(env, "Carry on.", [{"text": "done"}, {"text": "done"}, {"text": "done"}])
    first = unescape(json.dumps(env.agent_requests()[0]["body"]))
    check("Follow that phase's workflow" in first,
          "the prompt hook's run line did not reach the model")


@case("d10-gemini-no-skill-conflict", clients=("gemini",), defect=10)
def d10(client, env):
    env.init_project(("codex", "gemini"))
    client.run(env, "Say hello.", [{"text": "hello"}])
    lines = [l for l in (env.err + env.out).splitlines() if re.search(r"conflict", l, re.I)]
    check(not lines, f"{len(lines)} skill conflict lines at start-up, e.g. {lines[:2]}")
    first = json.dumps(env.agent_requests()[0]["body"])
    check("receiving-code-review" in first, "the skills are not offered to the model")


# -------------------------------------------------------------------------------- the suite


class Suite:
    def __init__(self, args):
        self.wazir = os.path.abspath(args.wazir)
        self.bin = args.bin
        self.work = tempfile.mkdtemp(prefix="wazir-hosts-")
        self.keep = args.keep


CLIENTS = {"claude": Claude, "codex": Codex, "gemini": Gemini}


def run_one(suite, client_name, case_id, fn):
    env = Env(suite, client_name, case_id)
    client = CLIENTS[client_name](suite)
    t0 = time.time()
    try:
        fn(client, env)
        ok, msg = True, ""
    except CaseFailed as e:
        ok, msg = False, str(e)
    except Exception as e:  # noqa: BLE001 - a harness error fails the case, with its trace
        ok, msg = False, f"harness error: {e!r}\n{traceback.format_exc()}"
    finally:
        env.stop_server()
    dt = time.time() - t0
    return ok, msg, dt, env.root


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wazir", required=True)
    ap.add_argument("--bin", required=True, help="folder with claude, codex, gemini, node")
    ap.add_argument("--only", default="", help="regular expression over client/case")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep each case's scratch folder")
    args = ap.parse_args()
    suite = Suite(args)
    todo = [(c, i, f, d) for (c, i, f, d) in CASES if re.search(args.only, f"{c}/{i}")]
    passed = failed = known = 0
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [(c, i, d, ex.submit(run_one, suite, c, i, f)) for (c, i, f, d) in todo]
        for c, i, d, fut in futs:
            ok, msg, dt, root = fut.result()
            name = f"{c}/{i}"
            if name in KNOWN_FAILURES:
                if ok:
                    failed += 1
                    print(f"FAIL {name} ({dt:.1f}s): listed in KNOWN_FAILURES but passes: "
                          f"take it off the list", flush=True)
                else:
                    known += 1
                    print(f"KNOWN-FAILURE {name} ({dt:.1f}s): {KNOWN_FAILURES[name]}: {msg}",
                          flush=True)
            elif ok:
                passed += 1
                print(f"ok   {name} ({dt:.1f}s)", flush=True)
            else:
                failed += 1
                print(f"FAIL {name} ({dt:.1f}s): {msg}\n     scratch: {root}", flush=True)
    if known:
        print(f"known failures (KNOWN_FAILURES in tests/hosts/conformance.py, not counted as "
              f"passed): {known}")
    if FOOTPRINT:
        print(footprint_table(), flush=True)
    print(f"suite time {time.time() - t0:.0f}s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    if not args.keep and failed == 0:
        shutil.rmtree(suite.work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
