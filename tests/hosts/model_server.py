#!/usr/bin/env python3
"""A scripted model server for the host conformance suite.

One program, one API module per client: Anthropic Messages (Claude Code), OpenAI Responses
(Codex CLI) and Gemini generateContent / streamGenerateContent (Gemini CLI), each streamed as
server-sent events. It binds 127.0.0.1 only, logs every request (one JSON line: path, body) to
the log file, and answers each *agent turn* request with the next step of the script:

    {"steps": [{"tool": "<name>", "args": {...}}, {"text": "final answer"}, ...]}

A step is a tool call (with the client's own tool name and arguments) or a final text answer.
Requests that are not agent turns (title, routing, next-speaker or token-count calls, which
carry no tools) get a short canned answer and consume no step. When the script is used up the
server answers "done." so the client ends its session.

Usage: model_server.py --api anthropic|responses|gemini --steps FILE --log FILE --port-file FILE
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"next": 0, "calls": 0}


def next_step(steps):
    with LOCK:
        i = STATE["next"]
        STATE["next"] += 1
        STATE["calls"] += 1
    if i < len(steps):
        return i, steps[i]
    return i, {"text": "done."}


def sse(handler, events, named=True):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for name, data in events:
        chunk = ""
        if named and name:
            chunk += f"event: {name}\n"
        chunk += "data: " + json.dumps(data) + "\n\n"
        handler.wfile.write(chunk.encode())
        handler.wfile.flush()
    handler.close_connection = True


def send_json(handler, obj, code=200):
    body = json.dumps(obj).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# ---------------------------------------------------------------- Anthropic Messages (Claude)

def anthropic(handler, path, body, steps):
    if "count_tokens" in path:
        return send_json(handler, {"input_tokens": 100})
    if not path.startswith("/v1/messages"):
        return send_json(handler, {"type": "error", "error": {"type": "not_found_error", "message": path}}, 404)
    agent_turn = bool(body.get("tools"))
    if agent_turn:
        i, step = next_step(steps)
    else:
        i, step = -1, {"text": "ok"}
    model = body.get("model", "claude")
    usage = {"input_tokens": 100, "output_tokens": 10, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    if "tool" in step:
        block = {"type": "tool_use", "id": f"toolu_{i:04d}", "name": step["tool"], "input": step["args"]}
        stop = "tool_use"
    else:
        block = {"type": "text", "text": step["text"]}
        stop = "end_turn"
    if not body.get("stream"):
        return send_json(handler, {"id": f"msg_{i}", "type": "message", "role": "assistant",
                                   "model": model, "content": [block], "stop_reason": stop,
                                   "stop_sequence": None, "usage": usage})
    ev = [("message_start", {"type": "message_start", "message": {
        "id": f"msg_{i}", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": usage}})]
    if block["type"] == "tool_use":
        ev.append(("content_block_start", {"type": "content_block_start", "index": 0,
                   "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}))
        ev.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                   "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}}))
    else:
        ev.append(("content_block_start", {"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}))
        ev.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": block["text"]}}))
    ev.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    ev.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                 "usage": {"output_tokens": 10}}))
    ev.append(("message_stop", {"type": "message_stop"}))
    sse(handler, ev)


# ---------------------------------------------------------------- OpenAI Responses (Codex)

def responses(handler, path, body, steps):
    if not path.rstrip("/").endswith("/responses"):
        if path.rstrip("/").endswith("/models"):
            return send_json(handler, {"object": "list", "data": [], "models": []})
        return send_json(handler, {"error": {"message": f"no route {path}"}}, 404)
    agent_turn = bool(body.get("tools"))
    i, step = next_step(steps) if agent_turn else (-1, {"text": "ok"})
    rid = f"resp_{i}"
    if "tool" in step:
        if step.get("custom"):
            item = {"type": "custom_tool_call", "id": f"ctc_{i}", "status": "completed",
                    "call_id": f"call_{i:04d}", "name": step["tool"], "input": step["args"]}
        else:
            item = {"type": "function_call", "id": f"fc_{i}", "status": "completed",
                    "call_id": f"call_{i:04d}", "name": step["tool"],
                    "arguments": json.dumps(step["args"])}
    else:
        item = {"type": "message", "role": "assistant", "id": f"msg_{i}", "status": "completed",
                "content": [{"type": "output_text", "text": step["text"], "annotations": []}]}
    usage = {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 10,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 110}
    ev = [
        ("response.created", {"type": "response.created", "response": {"id": rid, "status": "in_progress"}}),
        ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item}),
        ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
        ("response.completed", {"type": "response.completed", "response": {
            "id": rid, "status": "completed", "output": [item], "usage": usage}}),
    ]
    sse(handler, ev)


# ---------------------------------------------------------------- Gemini generateContent

def gemini(handler, path, body, steps):
    # About four characters a token: Gemini compares its compressed history with this count.
    prompt_tokens = max(1, len(json.dumps(body)) // 4)
    usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": 10,
             "totalTokenCount": prompt_tokens + 10}
    if ":countTokens" in path:
        # About four characters a token, so a compressed history counts as smaller.
        return send_json(handler, {"totalTokens": max(1, len(json.dumps(body)) // 4)})
    if ":embedContent" in path or ":batchEmbedContents" in path:
        return send_json(handler, {"embeddings": []})
    agent_turn = bool(body.get("tools")) and ":streamGenerateContent" in path
    if agent_turn:
        i, step = next_step(steps)
        if "tool" in step:
            parts = [{"functionCall": {"name": step["tool"], "args": step["args"]}}]
        else:
            parts = [{"text": step["text"]}]
    else:
        gc = body.get("generationConfig") or body.get("generation_config") or {}
        if gc.get("responseMimeType") == "application/json" or gc.get("responseJsonSchema") or gc.get("responseSchema"):
            text = json.dumps({"reasoning": "scripted", "next_speaker": "user", "model_choice": "pro",
                               "is_loop": False, "confidence": 0.0,
                               "complexity_reasoning": "scripted", "complexity_score": 10})
        else:
            text = "ok"
        parts = [{"text": text}]
    resp = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage, "modelVersion": "gemini-scripted"}
    if ":streamGenerateContent" in path:
        sse(handler, [(None, resp)], named=False)
    else:
        send_json(handler, resp)


APIS = {"anthropic": anthropic, "responses": responses, "gemini": gemini}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True, choices=sorted(APIS))
    ap.add_argument("--steps", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    with open(a.steps) as f:
        steps = json.load(f)["steps"]
    api = APIS[a.api]
    log = open(a.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _handle(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            with LOCK:
                log.write(json.dumps({"t": time.time(), "method": self.command, "path": self.path,
                                      "step": STATE["next"], "body": body}) + "\n")
            try:
                if self.command == "GET":
                    if a.api == "responses" and "models" in self.path:
                        return send_json(self, {"object": "list", "data": [], "models": []})
                    return send_json(self, {}, 404)
                api(self, self.path, body, steps)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_POST = _handle
        do_GET = _handle

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.replace(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
