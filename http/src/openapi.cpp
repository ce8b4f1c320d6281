// The OpenAPI 3 description served at /api/openapi.json. Kept true by a test
// (tests/http_contract/openapi_contract_test.cpp) that sends a request for every documented path,
// method and response status and validates each reply against it; docs/api.md is the prose.
//
// Object schemas list every field rio sends. Clients should still ignore unknown fields (the
// document never says "additionalProperties": false), so rio may add fields without breaking them.
// Event streams carry "x-rio-events": event name -> the schema of its `data` line.
#include "routes.hpp"

#include <boost/json/parse.hpp>

namespace rio::http::detail {

namespace {
// Written as JSON text so that it reads like the document it is.
constexpr const char* document_text = R"json({
"openapi": "3.0.3",
"info": {
  "title": "rio REST API",
  "version": "1.0.0",
  "description": "ComfyVN's remote-installer API (/api/remote/modules, /install, /status) with the original's request fields, response keys and error envelope, plus asynchronous runs, cancellation and Server-Sent Events streams, and the modder-hook API (/api/modder/hooks: reading it is not gated by the flag; the test emitter and webhooks are, like installs). Served by `rio serve` on 127.0.0.1:8001. POST /api/remote/install and every route under /api/remote except /modules answer 403 until features.enable_remote_installer is true in <root>/config/comfyvn.json (re-read whenever the file changes). When the server has an API token, every request needs `Authorization: Bearer <token>` (401 otherwise). Every response carries X-Request-ID (the request's own X-Request-ID when it is 1-128 printable characters without spaces, else a new UUID; the same rule for the answers given from the headers alone: 413, 401, the cross-site refusals) and JSON responses X-Process-Time (seconds). Headers are read, and the token checked, before the body; headers must arrive within 10 s. A connection beyond the server's caps (512, 256 per client address) closes the longest-idle one, or is answered 503 too_many_connections with Retry-After when none is idle. Errors are {ok:false, code, message, request_id} with `field` naming the request field at fault. See docs/api.md."
},
"servers": [{"url": "http://127.0.0.1:8001"}],
"security": [{}, {"bearerToken": []}],
"paths": {
  "/api/remote/modules": {
    "get": {
      "operationId": "listModules",
      "summary": "The installer modules: install steps, config-sync entries, detection probes, options",
      "description": "Not gated by the feature flag (as in the original). No `ok` key (as in the original).",
      "responses": {
        "200": {"description": "The registry, in load order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModuleRegistry"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  },
  "/api/remote/install": {
    "post": {
      "operationId": "install",
      "summary": "Plan and apply (or with dry_run, only plan) modules on one host or a fleet",
      "description": "Synchronous by default, as in the original: the answer comes when the run ends, and HTTP is 200 even when the run failed (`ok` means the request was processed; `succeeded` says whether the run did what was asked). With `async`, 202 and a run id at once. `host` gives the single-host shape, `hosts` the fleet shape. Checked in this order: feature flag (403), JSON object (422), fields (400).",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InstallRequest"}}}},
      "responses": {
        "200": {"description": "The finished run: one host's result (request named `host`) or the fleet's (request named `hosts`)", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/HostInstallResponse"}, {"$ref": "#/components/schemas/FleetInstallResponse"}]}}}},
        "202": {"description": "`async` was set: the run started; follow it at run_path or events_path", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunAccepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "422": {"$ref": "#/components/responses/NotAnObject"}
      }
    }
  },
  "/api/remote/status": {
    "get": {
      "operationId": "getStatus",
      "summary": "Every host's recorded state, or one host's status manifest",
      "parameters": [{"name": "host", "in": "query", "required": false, "description": "A host as install named it (`h`, `user@h:port`). Missing or empty: the list of every host.", "schema": {"type": "string"}}],
      "responses": {
        "200": {"description": "The list (no `host`) or one host's manifest", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/HostStatusList"}, {"$ref": "#/components/schemas/HostStatus"}]}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "500": {"description": "The host's manifest is unreadable (the message names the file and the field); it is left as it is", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
      }
    }
  },
  "/api/remote/logs": {
    "get": {
      "operationId": "followHostLog",
      "summary": "A host's install log as Server-Sent Events: the lines so far, then new lines as runs write them",
      "parameters": [
        {"name": "host", "in": "query", "required": true, "description": "A host as install named it", "schema": {"type": "string"}},
        {"name": "from", "in": "query", "required": false, "description": "First line to send (0-based)", "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "follow", "in": "query", "required": false, "description": "`false` or `0`: end after the lines written so far", "schema": {"type": "boolean", "default": true}}
      ],
      "responses": {
        "200": {"description": "The stream; comment lines (`: keep-alive`) every 15 s while idle", "content": {"text/event-stream": {"schema": {"type": "string"},
          "x-rio-events": {
            "log": {"data": "text", "description": "One log line; the event id is its line number"},
            "end": {"data": "json", "description": "Sent when follow is false (after the replay) or the server stops", "schema": {"$ref": "#/components/schemas/LogEnd"}}
          }}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"}
      }
    }
  },
  "/api/remote/runs": {
    "get": {
      "operationId": "listRuns",
      "summary": "Runs started through this server (newest first; the last 200 in memory, fewer when they are large)",
      "responses": {
        "200": {"description": "The runs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunList"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"}
      }
    }
  },
  "/api/remote/runs/{run_id}": {
    "parameters": [{"$ref": "#/components/parameters/RunId"}],
    "get": {
      "operationId": "getRun",
      "summary": "One run: progress while it runs, every host's result once finished",
      "responses": {
        "200": {"description": "The run", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunSummary"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "404": {"$ref": "#/components/responses/UnknownRun"}
      }
    },
    "delete": {
      "operationId": "cancelRunByDelete",
      "summary": "Cancel a run in flight (same as POST .../cancel)",
      "responses": {
        "202": {"$ref": "#/components/responses/Cancelling"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "404": {"$ref": "#/components/responses/UnknownRun"},
        "409": {"$ref": "#/components/responses/AlreadyFinished"}
      }
    }
  },
  "/api/remote/runs/{run_id}/cancel": {
    "parameters": [{"$ref": "#/components/parameters/RunId"}],
    "post": {
      "operationId": "cancelRun",
      "summary": "Cancel a run in flight: the remote command is stopped, no further module starts, and each host records itself as cancelled",
      "responses": {
        "202": {"$ref": "#/components/responses/Cancelling"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "404": {"$ref": "#/components/responses/UnknownRun"},
        "409": {"$ref": "#/components/responses/AlreadyFinished"},
        "413": {"$ref": "#/components/responses/TooLarge"}
      }
    }
  },
  "/api/remote/runs/{run_id}/events": {
    "parameters": [{"$ref": "#/components/parameters/RunId"}],
    "get": {
      "operationId": "followRun",
      "summary": "A run's events as Server-Sent Events: replayed from the start (or `from`), then live, then `end`",
      "parameters": [
        {"name": "from", "in": "query", "required": false, "description": "First event sequence number to send", "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "Last-Event-ID", "in": "header", "required": false, "description": "Sent by a reconnecting EventSource: resume after this event", "schema": {"type": "integer", "minimum": 0}}
      ],
      "responses": {
        "200": {"description": "The stream; the event id is the event's `seq`; comment lines (`: keep-alive`) every 15 s while idle", "content": {"text/event-stream": {"schema": {"type": "string"},
          "x-rio-events": {
            "host_started": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "module_planned": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "step_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "module_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "host_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "log_line": {"data": "json", "schema": {"$ref": "#/components/schemas/RunEvent"}},
            "end": {"data": "json", "description": "The run finished: its summary, as GET /api/remote/runs/{run_id}; the stream then closes", "schema": {"$ref": "#/components/schemas/RunSummary"}}
          }}}},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "404": {"$ref": "#/components/responses/UnknownRun"}
      }
    }
  },
  "/api/modder/hooks": {
    "get": {
      "operationId": "listHooks",
      "summary": "The hook catalogue, registered webhooks (never their secrets), subscriber counters and the latest 15 events",
      "description": "Not gated by the feature flag (as in the original).",
      "responses": {
        "200": {"description": "The catalogue", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookCatalogue"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  },
  "/api/modder/hooks/history": {
    "get": {
      "operationId": "hookHistory",
      "summary": "Recent hook events, oldest first",
      "parameters": [
        {"name": "limit", "in": "query", "required": false, "description": "How many (clamped to 1-200)", "schema": {"type": "integer", "default": 25}},
        {"name": "event", "in": "query", "required": false, "description": "Only this event", "schema": {"type": "string"}}
      ],
      "responses": {
        "200": {"description": "The events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookHistory"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  },
  "/api/modder/hooks/stream": {
    "get": {
      "operationId": "followHooks",
      "summary": "Hook events as Server-Sent Events, live, until the client disconnects (rio's counterpart of the original's WebSocket)",
      "parameters": [{"name": "topics", "in": "query", "required": false, "description": "Comma-separated event names; all events when missing", "schema": {"type": "string"}}],
      "responses": {
        "200": {"description": "The stream; the event name is the hook's name, the event id its `seq`; comment lines (`: keep-alive`) every 15 s while idle", "content": {"text/event-stream": {"schema": {"type": "string"},
          "x-rio-events": {
            "on_security_secret_read": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_security_key_rotated": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_remote_install_started": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_remote_module_planned": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_remote_step_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_remote_module_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_remote_install_finished": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}},
            "on_module_loaded": {"data": "json", "schema": {"$ref": "#/components/schemas/HookEvent"}}
          }}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  },
  "/api/modder/hooks/test": {
    "post": {
      "operationId": "emitTestHook",
      "summary": "Publish a test event (its payload gets \"test\": true) to every subscriber",
      "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "event": {"type": "string", "description": "A catalogued event name (default on_remote_install_started)"},
        "payload": {"type": "object", "additionalProperties": true}}}}}},
      "responses": {
        "200": {"description": "Published", "content": {"application/json": {"schema": {"type": "object", "required": ["ok", "event"], "properties": {
          "ok": {"type": "boolean", "enum": [true]}, "event": {"type": "string"}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "413": {"description": "The body is larger than the server's limit (1 MiB by default; the connection is closed), or the payload is larger than 64 KiB serialised (code payload_too_large, field payload)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "422": {"$ref": "#/components/responses/NotAnObject"}
      }
    }
  },
  "/api/modder/hooks/webhooks": {
    "post": {
      "operationId": "addWebhook",
      "summary": "Register a webhook (replaces the one with the same event and url): deliveries are POSTs of the event, signed with HMAC-SHA256 (X-Rio-Signature-256) when it has a secret, retried with backoff",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["event", "url"], "properties": {
        "event": {"type": "string", "description": "A catalogued event name, or \"*\" for all"},
        "url": {"type": "string", "description": "http://host[:port]/path"},
        "secret": {"type": "string", "description": "Kept in the vault (provider modder_webhooks); never returned"}}}}}},
      "responses": {
        "200": {"description": "Registered", "content": {"application/json": {"schema": {"type": "object", "required": ["ok", "id", "signed"], "properties": {
          "ok": {"type": "boolean", "enum": [true]}, "id": {"type": "string"}, "signed": {"type": "boolean"}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "409": {"description": "As many webhooks as the server allows are registered (32 by default, rio serve --max-webhooks): code too_many_webhooks, `limit` the number; remove one first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "422": {"$ref": "#/components/responses/NotAnObject"}
      }
    },
    "delete": {
      "operationId": "removeWebhook",
      "summary": "Remove the webhook with this event and url",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["event", "url"], "properties": {
        "event": {"type": "string"}, "url": {"type": "string"}}}}}},
      "responses": {
        "200": {"description": "Removed", "content": {"application/json": {"schema": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean", "enum": [true]}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Disabled"},
        "404": {"description": "No webhook with this event and url; field is url", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "422": {"$ref": "#/components/responses/NotAnObject"}
      }
    }
  },
  "/api/openapi.json": {
    "get": {
      "operationId": "getOpenApi",
      "summary": "This document",
      "responses": {
        "200": {"description": "OpenAPI 3.0.3", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"], "additionalProperties": true}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  },
  "/api/health": {
    "get": {
      "operationId": "health",
      "summary": "Liveness, version, whether the remote installer is enabled, runs in flight",
      "responses": {
        "200": {"description": "Up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"}
      }
    }
  }
},
"components": {
  "securitySchemes": {
    "bearerToken": {"type": "http", "scheme": "bearer", "description": "Only when `rio serve` has a token (--token-file FILE or RIO_API_TOKEN, at least 16 characters); required to listen on anything but loopback"}
  },
  "parameters": {
    "RunId": {"name": "run_id", "in": "path", "required": true, "description": "As returned by an async install (e.g. 20261127T130509Z-69ff7c3e)", "schema": {"type": "string"}}
  },
  "headers": {
    "Allow": {"description": "The methods the path takes", "required": true, "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "`Bearer`", "required": true, "schema": {"type": "string"}}
  },
  "responses": {
    "BadRequest": {"description": "A field is missing or invalid; `field` names it (host, hosts, modules, ssh.port, secrets.provider, ...)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "Unauthorized": {"description": "The server has an API token and the request did not send it (`Authorization: Bearer <token>`)", "headers": {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "Disabled": {"description": "`remote installer disabled`: features.enable_remote_installer is not true in <root>/config/comfyvn.json", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "UnknownRun": {"description": "No such run (runs are kept in memory while the server runs; the last 200, fewer when they are large); field is run_id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "AlreadyFinished": {"description": "The run has already finished; field is run_id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "Cancelling": {"description": "Cancellation requested; the run ends shortly with status `cancelled`", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CancelAccepted"}}}},
    "TooLarge": {"description": "The body is larger than the server's limit (1 MiB by default); the connection is closed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "NotAnObject": {"description": "The body is not JSON, or not a JSON object (the original's validation envelope)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}}},
    "MethodNotAllowed": {"description": "Any path listed here answers 405 to a method it does not list, with Allow naming those it does", "headers": {"Allow": {"$ref": "#/components/headers/Allow"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "NoRoute": {"description": "Any path not listed here answers 404 `no route <path>`", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
  },
  "schemas": {
    "Error": {
      "type": "object", "required": ["ok", "code", "message", "request_id"],
      "properties": {
        "ok": {"type": "boolean", "enum": [false]},
        "code": {"type": "string", "description": "`http_<status>`, e.g. http_400"},
        "message": {"type": "string", "description": "For people; the original's texts where it had them (`host required`, `remote installer disabled`, ...)"},
        "request_id": {"type": "string"},
        "field": {"type": "string", "description": "The request field at fault, when one is: host, hosts, modules, ssh.<field>, secrets.provider, options.<module>, run_id, from"},
        "limit": {"type": "integer", "description": "The limit that was reached, when one was (too_many_webhooks)"},
        "details": {"description": "Extra detail where the original had it"}
      }
    },
    "ValidationError": {
      "type": "object", "required": ["ok", "code", "message", "details", "request_id"],
      "properties": {
        "ok": {"type": "boolean", "enum": [false]},
        "code": {"type": "string", "enum": ["validation_error"]},
        "message": {"type": "string", "enum": ["Request validation failed"]},
        "details": {"type": "array", "items": {"type": "object", "required": ["loc", "msg", "type"], "properties": {
          "loc": {"type": "array", "items": {"type": "string"}}, "msg": {"type": "string"}, "type": {"type": "string"}}}},
        "request_id": {"type": "string"}
      }
    },
    "BoolIsh": {
      "description": "The original's coercion: true, 1, \"1\", \"true\", \"yes\", \"on\" and non-zero numbers are true; false, 0, \"0\", \"false\", \"no\", \"off\" are false; anything else is the default",
      "oneOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]
    },
    "InstallRequest": {
      "type": "object",
      "description": "Every field but host (or hosts) and modules is optional. Unknown fields are ignored.",
      "required": ["modules"],
      "anyOf": [{"required": ["host"]}, {"required": ["hostname"]}, {"required": ["hosts"]}],
      "properties": {
        "host": {"type": "string", "description": "One host: `h`, `h:port`, `user@h`, `user@h:port`, `[v6]:port`; trimmed. A host name, IPv4 or IPv6 address; a leading `-` is refused"},
        "hostname": {"type": "string", "description": "The original's alias of host, used when host is missing"},
        "hosts": {"type": "array", "minItems": 1, "items": {"type": "string"}, "description": "rio: a fleet in one call (same forms as host); the response has the fleet shape. Wins over host"},
        "modules": {"description": "\"all\", one module id, a list of ids, or (as the original) an object whose keys are ids. Trimmed, lower-cased, duplicates dropped",
          "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "object", "additionalProperties": true}]},
        "dry_run": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "Plan only: connects to detect (unless probe is false), writes nothing, takes no lock"},
        "record_only": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "Record planned installs as `recorded` without running anything on the host"},
        "probe": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "Detect before planning (default true); ssh.probe wins when present"},
        "async": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "rio: answer 202 with a run id at once instead of waiting for the run"},
        "ssh": {"$ref": "#/components/schemas/SshOptions"},
        "secrets": {"$ref": "#/components/schemas/SecretsRef"},
        "credentials": {"$ref": "#/components/schemas/SecretsRef"},
        "options": {"type": "object", "description": "rio: module options by module id, e.g. {\"comfyui\": {\"ref\": \"v0.3.10\"}}; validated against each module's option types",
          "additionalProperties": {"type": "object", "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}}},
        "preflight": {"$ref": "#/components/schemas/PreflightOverrides"}
      }
    },
    "PreflightOverrides": {
      "type": "object", "description": "rio: overrides of the preflight's checks (docs/platforms.md); the CLI's --min-disk and --skip-check",
      "properties": {
        "min_disk_gib": {"description": "Free disk a module needs where it installs, in GiB (0 turns the check off): one number for every module, or per module id",
          "oneOf": [{"type": "number", "minimum": 0}, {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}]},
        "skip": {"type": "array", "items": {"type": "string", "enum": ["platform", "disk", "sudo", "package_manager", "tools", "gpu_driver"]}}
      }
    },
    "HostFacts": {
      "type": "object", "nullable": true, "description": "rio: what the preflight found inside the detect command; null when detection did not run",
      "required": ["system", "os_id", "os_like", "os_version", "os_name", "arch", "sudo", "package_manager", "systemd", "tools", "gpus"],
      "properties": {
        "system": {"type": "string", "description": "linux, macos, windows (MSYS2, Git Bash, Cygwin) or other:<uname -s>"},
        "os_id": {"type": "string"}, "os_like": {"type": "string"}, "os_version": {"type": "string"}, "os_name": {"type": "string"},
        "arch": {"type": "string", "description": "uname -m"},
        "sudo": {"type": "string", "enum": ["root", "passwordless", "password", "absent", ""]},
        "package_manager": {"type": "string", "enum": ["apt-get", "dnf", "none", ""]},
        "systemd": {"type": "boolean"},
        "tools": {"type": "object", "additionalProperties": {"type": "boolean"}, "description": "Whether each tool is on the login's PATH"},
        "gpus": {"type": "array", "items": {"type": "object", "required": ["vendor", "driver"], "properties": {
          "vendor": {"type": "string", "description": "nvidia, amd, intel or a PCI vendor id"},
          "driver": {"type": "string", "nullable": true, "description": "The driver version; null when no driver answered"}}}}
      }
    },
    "SshOptions": {
      "type": "object", "description": "Connection fields, on top of the vault entry's (secrets). null values are ignored",
      "properties": {
        "user": {"type": "string"},
        "username": {"type": "string", "description": "Alias of user"},
        "port": {"description": "1-65535 (a number or a numeric string)", "oneOf": [{"type": "integer", "minimum": 1, "maximum": 65535}, {"type": "string"}]},
        "identity": {"type": "string", "description": "A private key file under ~/.ssh of the account rio runs as, or under rio's root; other keys belong in the vault (private_key)"},
        "identity_file": {"type": "string", "description": "Alias of identity"},
        "connect_timeout": {"description": "Seconds, more than 0 and at most 3600 (default 10)", "oneOf": [{"type": "number"}, {"type": "string"}]},
        "timeout": {"description": "Alias of connect_timeout", "oneOf": [{"type": "number"}, {"type": "string"}]},
        "env": {"type": "object", "description": "Exported to every remote command (never to local programs); names are [A-Za-z_][A-Za-z0-9_]*",
          "additionalProperties": {"oneOf": [{"type": "string", "nullable": true}, {"type": "number"}, {"type": "boolean"}]}},
        "ssh_command": {"type": "string", "enum": ["ssh"], "description": "Accepted for old clients; only the default is allowed (the request cannot choose a local program)"},
        "scp_command": {"type": "string", "enum": ["scp"], "description": "As ssh_command"},
        "probe": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "Wins over the top-level probe"},
        "record_only": {"allOf": [{"$ref": "#/components/schemas/BoolIsh"}], "description": "Either this or the top-level record_only"}
      }
    },
    "SecretsRef": {
      "type": "object", "description": "Which vault entry supplies credentials. When non-empty, provider is required and must exist (stored or overridden from the environment)",
      "properties": {
        "provider": {"type": "string", "example": "remote_installer"},
        "key": {"type": "string", "description": "The entry under the provider's hosts block"},
        "entry": {"type": "string", "description": "Alias of key"},
        "id": {"type": "string", "description": "Alias of key"}
      }
    },
    "ModuleRegistry": {
      "type": "object", "required": ["modules"],
      "properties": {"modules": {"type": "array", "items": {"$ref": "#/components/schemas/Module"}}}
    },
    "Module": {
      "type": "object", "required": ["id", "name", "notes", "tags", "install_steps", "config_sync", "detect_steps", "version", "options"],
      "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "notes": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "install_steps": {"type": "array", "items": {"type": "object", "required": ["type", "id", "command", "description", "timeout"], "properties": {
          "type": {"type": "string", "enum": ["command"]}, "id": {"type": "string"},
          "command": {"type": "string", "description": "Rendered with the options' defaults"},
          "description": {"type": "string"}, "timeout": {"type": "integer", "description": "Seconds"},
          "check": {"type": "string", "description": "The done check: exit 0 means the step is already done"}}}},
        "config_sync": {"type": "array", "items": {"type": "object", "required": ["type", "source", "destination", "description"], "properties": {
          "type": {"type": "string", "enum": ["sync"]}, "source": {"type": "string", "description": "Relative to rio's root"},
          "destination": {"type": "string"}, "description": {"type": "string"},
          "optional": {"type": "boolean", "description": "Present (true) only for optional entries, as in the original"}}}},
        "detect_steps": {"type": "array", "items": {"type": "object", "required": ["type", "id", "command", "description", "timeout"], "properties": {
          "type": {"type": "string", "enum": ["command"]}, "id": {"type": "string"}, "command": {"type": "string"},
          "description": {"type": "string"}, "timeout": {"type": "integer"}}}},
        "version": {"type": "string"},
        "options": {"type": "array", "items": {"type": "object", "required": ["name", "type", "default", "description", "allow_empty"], "properties": {
          "name": {"type": "string"}, "type": {"type": "string", "enum": ["string", "identifier", "path", "url", "boolean", "integer", "address"]},
          "default": {"type": "string"}, "description": {"type": "string"}, "allow_empty": {"type": "boolean"}}}}
      }
    },
    "StepResult": {
      "type": "object", "required": ["id", "outcome", "exit_code", "duration_ms"],
      "properties": {
        "id": {"type": "string"},
        "outcome": {"type": "string", "enum": ["done", "already_done", "failed", "not_run"]},
        "exit_code": {"type": "integer"}, "duration_ms": {"type": "integer"},
        "reason": {"type": "string"}, "stderr_tail": {"type": "string", "description": "Redacted and bounded"}
      }
    },
    "PlanEntry": {
      "type": "object", "required": ["host", "module", "name", "action", "reason", "notes", "tags", "detected", "detect", "steps", "config_sync", "options"],
      "properties": {
        "host": {"type": "string"}, "module": {"type": "string"}, "name": {"type": "string"},
        "action": {"type": "string", "enum": ["install", "noop", "blocked"], "description": "blocked: the preflight refuses the module (see preflight); an apply records it failed with that reason and runs nothing for it"},
        "reason": {"type": "string"}, "notes": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "detected": {"type": "boolean"},
        "detect": {"type": "object", "required": ["state", "evidence", "probes"], "properties": {
          "state": {"type": "string", "enum": ["installed", "absent", "unknown"]}, "evidence": {"type": "string"},
          "probes": {"type": "array", "items": {"type": "object", "required": ["id", "description", "passed", "exit_code"], "properties": {
            "id": {"type": "string"}, "description": {"type": "string"}, "passed": {"type": "boolean"}, "exit_code": {"type": "integer"}}}}}},
        "steps": {"type": "array", "items": {"type": "object", "required": ["id", "description", "satisfied", "will_run"], "properties": {
          "id": {"type": "string"}, "description": {"type": "string"},
          "satisfied": {"type": "boolean", "nullable": true, "description": "The done check's answer; null when unknown"},
          "will_run": {"type": "boolean"}}}},
        "config_sync": {"type": "array", "items": {"type": "object", "required": ["source", "destination", "description", "optional", "local_exists", "remote_exists", "will_upload"], "properties": {
          "source": {"type": "string"}, "destination": {"type": "string"}, "description": {"type": "string"},
          "optional": {"type": "boolean"}, "local_exists": {"type": "boolean"},
          "remote_exists": {"type": "boolean", "nullable": true}, "will_upload": {"type": "boolean"}}}},
        "recorded_state": {"type": "string", "description": "What the status file said before this run"},
        "disk": {"type": "object", "required": ["free_mib", "need_mib"], "properties": {"free_mib": {"type": "integer"}, "need_mib": {"type": "integer"}},
          "description": "rio: free space where the module installs, and what the disk check asks for"},
        "preflight": {"type": "array", "description": "rio: why the module is blocked", "items": {"type": "object", "required": ["check", "message"], "properties": {
          "check": {"type": "string", "enum": ["platform", "disk", "sudo", "package_manager", "tools", "gpu_driver"]}, "message": {"type": "string"}}}},
        "options": {"type": "object", "additionalProperties": {"type": "string"}, "description": "The resolved option values"}
      }
    },
    "HostResult": {
      "type": "object", "required": ["host", "address", "run_id", "status", "plan", "facts", "failed", "log_path", "status_path", "remote_commands", "connections", "duration_ms"],
      "properties": {
        "host": {"type": "string", "description": "As the request named it"},
        "address": {"type": "string", "description": "user@host:port used"},
        "run_id": {"type": "string"},
        "status": {"type": "string", "enum": ["installed", "noop", "failed", "cancelled", "recorded", "dry_run"]},
        "plan": {"type": "array", "items": {"$ref": "#/components/schemas/PlanEntry"}},
        "facts": {"$ref": "#/components/schemas/HostFacts"},
        "failed": {"type": "array", "items": {"type": "string"}},
        "installed": {"type": "array", "items": {"type": "string"}, "description": "Absent in a dry run (as in the original)"},
        "skipped": {"type": "array", "items": {"type": "string"}, "description": "Absent in a dry run"},
        "recorded": {"type": "array", "items": {"type": "string"}, "description": "record_only: modules recorded without running"},
        "modules": {"type": "object", "description": "Per module: its outcome and step results. Absent in a dry run",
          "additionalProperties": {"type": "object", "required": ["state", "steps"], "properties": {
            "state": {"type": "string", "enum": ["installed", "failed", "skipped", "recorded"]},
            "steps": {"type": "array", "items": {"$ref": "#/components/schemas/StepResult"}},
            "error": {"type": "string"}}}},
        "log_path": {"type": "string"}, "status_path": {"type": "string"},
        "error": {"type": "string", "description": "A host-level failure, for people"},
        "failure": {"type": "string", "enum": ["busy", "unreachable", "local_io", "cancelled"]},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "remote_commands": {"type": "integer"}, "connections": {"type": "integer"}, "duration_ms": {"type": "integer"}
      }
    },
    "InstallAnswer": {
      "type": "object", "required": ["ok", "succeeded", "registry"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true], "description": "The request was processed (the original's meaning; true even when the run failed)"},
        "succeeded": {"type": "boolean", "description": "rio: the run's status is neither failed nor cancelled"},
        "registry": {"type": "array", "items": {"$ref": "#/components/schemas/Module"}, "description": "The module registry, as the original embedded it"}
      }
    },
    "HostInstallResponse": {"allOf": [{"$ref": "#/components/schemas/HostResult"}, {"$ref": "#/components/schemas/InstallAnswer"}]},
    "FleetResult": {
      "type": "object", "required": ["status", "run_id", "hosts", "summary"],
      "properties": {
        "status": {"type": "string", "enum": ["installed", "noop", "failed", "cancelled", "recorded", "dry_run"]},
        "run_id": {"type": "string"},
        "hosts": {"type": "array", "items": {"$ref": "#/components/schemas/HostResult"}},
        "summary": {"type": "object", "required": ["hosts", "installed", "noop", "failed"], "properties": {
          "hosts": {"type": "integer"}, "installed": {"type": "integer"}, "noop": {"type": "integer"}, "failed": {"type": "integer"},
          "recorded": {"type": "integer"}, "cancelled": {"type": "integer"},
          "unreachable": {"type": "integer", "description": "hosts that could not be reached (a dry run included)"}}}
      }
    },
    "FleetInstallResponse": {"allOf": [{"$ref": "#/components/schemas/FleetResult"}, {"$ref": "#/components/schemas/InstallAnswer"}]},
    "RunAccepted": {
      "type": "object", "required": ["ok", "run_id", "status", "run_path", "events_path"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]}, "run_id": {"type": "string"},
        "status": {"type": "string", "enum": ["running"]},
        "run_path": {"type": "string", "example": "/api/remote/runs/20261127T130509Z-69ff7c3e"},
        "events_path": {"type": "string", "example": "/api/remote/runs/20261127T130509Z-69ff7c3e/events"}
      }
    },
    "CancelAccepted": {
      "type": "object", "required": ["ok", "run_id", "state"],
      "properties": {"ok": {"type": "boolean", "enum": [true]}, "run_id": {"type": "string"}, "state": {"type": "string", "enum": ["cancelling"]}}
    },
    "RunList": {
      "type": "object", "required": ["ok", "runs"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]},
        "runs": {"type": "array", "items": {"type": "object", "required": ["run_id", "state", "started_at", "hosts", "dry_run"], "properties": {
          "run_id": {"type": "string"}, "state": {"type": "string", "enum": ["running", "finished"]},
          "started_at": {"type": "string"}, "hosts": {"type": "integer", "description": "How many hosts"}, "dry_run": {"type": "boolean"}}}}
      }
    },
    "RunSummary": {
      "type": "object", "required": ["ok", "run_id", "state", "dry_run", "started_at", "progress", "cancelled"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]}, "run_id": {"type": "string"},
        "state": {"type": "string", "enum": ["running", "finished"]},
        "dry_run": {"type": "boolean"}, "started_at": {"type": "string"},
        "progress": {"type": "object", "required": ["total", "done", "failed", "running"], "properties": {
          "total": {"type": "integer"}, "done": {"type": "integer"}, "failed": {"type": "integer"}, "running": {"type": "integer"}}},
        "finished_at": {"type": "string", "description": "Once finished"},
        "status": {"type": "string", "enum": ["installed", "noop", "failed", "cancelled", "recorded", "dry_run"], "description": "Once finished: the fleet's status"},
        "hosts": {"type": "array", "items": {"$ref": "#/components/schemas/HostResult"}, "description": "Once finished"},
        "hosts_requested": {"type": "array", "items": {"type": "string"}, "description": "While running"},
        "cancelled": {"type": "boolean", "description": "Cancellation was requested"}
      }
    },
    "RunEvent": {
      "type": "object", "required": ["seq", "event", "time", "run_id", "host"],
      "properties": {
        "seq": {"type": "integer"},
        "event": {"type": "string", "enum": ["host_started", "module_planned", "step_finished", "module_finished", "host_finished", "log_line"]},
        "time": {"type": "string"}, "run_id": {"type": "string"}, "host": {"type": "string"},
        "module": {"type": "string"}, "step": {"type": "string"},
        "state": {"type": "string", "description": "module_planned: install|noop; step_finished: the step outcome; module_finished: installed|failed|skipped|recorded; host_finished: the host's status"},
        "detail": {"type": "string", "description": "Redacted: the address, a reason, an error, or (log_line) the log line"}
      }
    },
    "LogEnd": {"type": "object", "required": ["lines"], "properties": {"lines": {"type": "integer", "description": "Lines in the log so far"}}},
    "HostStatusList": {
      "type": "object", "required": ["ok", "hosts"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]},
        "hosts": {"type": "array", "description": "Sorted by file name; unreadable manifests are left out", "items": {"type": "object", "required": ["host", "modules", "status_path", "running", "updated_at"], "properties": {
          "host": {"type": "string"},
          "modules": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Module id to state"},
          "status_path": {"type": "string"},
          "running": {"type": "boolean", "description": "rio: a run holds the host's lock now"},
          "updated_at": {"type": "string", "nullable": true}}}}
      }
    },
    "HostStatus": {
      "type": "object", "required": ["ok", "host", "status_path", "running", "status"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]},
        "host": {"type": "string", "description": "The query value as given"},
        "status_path": {"type": "string"}, "running": {"type": "boolean"},
        "status": {"$ref": "#/components/schemas/Manifest"}
      }
    },
    "Manifest": {
      "type": "object", "required": ["host", "modules", "version"],
      "description": "The status manifest (version 1; the original's keys first). An unknown host has {host, modules: {}, version: 1}",
      "properties": {
        "host": {"type": "string"},
        "modules": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ModuleRecord"}},
        "version": {"type": "integer", "enum": [1]},
        "updated_at": {"type": "string"},
        "address": {"type": "string"},
        "last_run": {"type": "object", "required": ["id", "state", "started_at", "pid"], "properties": {
          "id": {"type": "string"}, "state": {"type": "string", "enum": ["running", "finished"]},
          "started_at": {"type": "string"}, "pid": {"type": "integer"},
          "status": {"type": "string"}, "finished_at": {"type": "string"}, "error": {"type": "string"}}}
      }
    },
    "ModuleRecord": {
      "type": "object", "required": ["state", "notes", "tags"],
      "properties": {
        "state": {"type": "string", "description": "installed, failed, or recorded (rio: a record_only run; nothing ran)"},
        "installed_at": {"type": "string"}, "failed_at": {"type": "string"}, "error": {"type": "string"},
        "notes": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "reason": {"type": "string"}, "detected": {"type": "boolean"}, "run_id": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "object", "required": ["id", "outcome", "exit_code", "duration_ms", "reason"], "properties": {
          "id": {"type": "string"}, "outcome": {"type": "string"}, "exit_code": {"type": "integer"}, "duration_ms": {"type": "integer"}, "reason": {"type": "string"}}}},
        "stderr_tail": {"type": "string"}, "last_reason": {"type": "string"}, "updated_at": {"type": "string"}
      }
    },
    "HookEvent": {
      "type": "object", "required": ["event", "timestamp", "seq", "payload"],
      "properties": {
        "event": {"type": "string"}, "timestamp": {"type": "string"}, "seq": {"type": "integer"},
        "payload": {"type": "object", "additionalProperties": true, "description": "The event's fields, as the catalogue lists them; names and fingerprints, never secret values"}
      }
    },
    "HookCatalogue": {
      "type": "object", "required": ["ok", "hooks", "webhooks", "subscribers", "plugin_host", "stream_path", "history"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]},
        "hooks": {"type": "array", "items": {"type": "object", "required": ["name", "description", "ws_topic", "rest_event", "payload"], "properties": {
          "name": {"type": "string"}, "description": {"type": "string"}, "ws_topic": {"type": "string"}, "rest_event": {"type": "string"},
          "payload": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Field name to description"}}}},
        "webhooks": {"type": "array", "items": {"type": "object", "required": ["id", "event", "url", "signed", "created_at"], "properties": {
          "id": {"type": "string"}, "event": {"type": "string"}, "url": {"type": "string"}, "signed": {"type": "boolean"}, "created_at": {"type": "string"}}}},
        "subscribers": {"type": "array", "items": {"type": "object", "required": ["name", "delivered", "dropped", "failed", "timed_out", "queued"], "properties": {
          "name": {"type": "string"}, "delivered": {"type": "integer"}, "dropped": {"type": "integer"}, "failed": {"type": "integer"},
          "timed_out": {"type": "integer"}, "queued": {"type": "integer"}}}},
        "plugin_host": {"type": "object", "required": ["enabled", "root", "subscribers", "skipped"], "description": "Hook subscriber plugins loaded from the plugin directory", "properties": {
          "enabled": {"type": "boolean", "description": "At least one subscriber plugin is loaded"},
          "root": {"type": "string", "description": "The plugin directory"},
          "subscribers": {"type": "array", "items": {"type": "object", "required": ["id", "file", "events"], "properties": {
            "id": {"type": "string"}, "file": {"type": "string"}, "events": {"type": "array", "items": {"type": "string"}}}}},
          "skipped": {"type": "array", "items": {"type": "object", "required": ["file", "reason"], "properties": {
            "file": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "stream_path": {"type": "string"},
        "history": {"type": "array", "items": {"$ref": "#/components/schemas/HookEvent"}}
      }
    },
    "HookHistory": {
      "type": "object", "required": ["ok", "items"],
      "properties": {"ok": {"type": "boolean", "enum": [true]}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/HookEvent"}}}
    },
    "Health": {
      "type": "object", "required": ["ok", "version", "remote_installer_enabled", "active_runs"],
      "properties": {
        "ok": {"type": "boolean", "enum": [true]}, "version": {"type": "string"},
        "remote_installer_enabled": {"type": "boolean"}, "active_runs": {"type": "integer"}
      }
    }
  }
}
})json";
}  // namespace

const boost::json::object& openapi_document() {
  static const boost::json::object doc = boost::json::parse(document_text).as_object();
  return doc;
}

}  // namespace rio::http::detail
