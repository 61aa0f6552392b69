// src/checks/catalog.ts — GENERATED from the checks by test/meta/catalog.test.ts (after changing a check's meta or
// example, or adding a check: `npx vitest run test/meta/catalog.test.ts -u`). `vouch checks` reads it, loading no check.
import type { CheckInfo } from './kit/catalog.js';

/** Every check's description, in the order of `allChecks`. */
export const catalog: readonly CheckInfo[] = [
  {
    "id": "command-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "OS command injection",
      "description": "A parameter reaches a shell command line: a separator starts a command of the attacker's choosing.",
      "severity": "critical",
      "cwe": "CWE-78",
      "owasp": "A03:2021 Injection",
      "remediation": "Do not run a shell with input: call the program directly with an argument array (execFile / spawn without shell), or use a library API instead of a command; validate input against an allow-list.",
      "proves": "Output-based: the product of two random numbers, computed only by a shell ($((a*b))), comes back on replay with fresh operands and is absent from the original response. Time-based: sleep 0, d and 2d each against a same-run control, the delay following the payload."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/ping?host=127.0.0.1%3Becho%20%24((4721*8093))",
      "summary": "query host=\"127.0.0.1;echo $((4721*8093))\": → 200 containing 38207153, the product the shell computed from $((4721*8093)) (separator ;)"
    }
  },
  {
    "id": "cookie-flags",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Session cookie without protective flags",
      "description": "A session-like cookie is set without HttpOnly (readable by injected script), SameSite (sent on cross-site requests) or, on https, Secure (sent over plain HTTP).",
      "severity": "medium",
      "cwe": "CWE-1004",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Set session and credential cookies with `HttpOnly; Secure; SameSite=Lax` (or Strict), usually one option of the session middleware.",
      "proves": "The recorded Set-Cookie header itself, for a cookie named like a session or carrying a long random value."
    },
    "example": {
      "url": "http://127.0.0.1:8080/login",
      "summary": "POST /login → 302 sets session-like cookie sid without HttpOnly"
    }
  },
  {
    "id": "cors-misconfiguration",
    "family": "security",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "CORS allows any origin with credentials",
      "description": "The server copies the request Origin (or accepts `null`) into Access-Control-Allow-Origin and allows credentials, so any web page can read these responses with the visitor's cookies; or it marks answers that need a token readable by every origin (`*`).",
      "severity": "medium",
      "cwe": "CWE-942",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Check the Origin against a fixed allow-list of your own origins before echoing it; never allow `null`; send Access-Control-Allow-Credentials only for allow-listed origins.",
      "proves": "Two different random attacker origins are each echoed back in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true (or `Origin: null` is accepted twice); for `*`, a signed-in 2xx answer carries it while the same request without credentials is refused, again on replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/me",
      "summary": "Origin: https://vouch-cors-1a2b3c4d5e.example → 200 with Access-Control-Allow-Origin echoing it and Allow-Credentials: true; 6 more operation(s) alike"
    }
  },
  {
    "id": "crlf-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "CRLF injection into response headers",
      "description": "A parameter is copied into a response header without removing line breaks, so an attacker can add headers (cookies, redirects, CSP) or split the response.",
      "severity": "medium",
      "cwe": "CWE-113",
      "owasp": "A03:2021 Injection",
      "remediation": "Never copy input into headers unencoded: percent-encode it (or reject CR and LF) before it reaches Location or Set-Cookie; use the framework's redirect helper, which encodes.",
      "proves": "The response carries a header named X-Vouch-<random> as a header of its own (parsed by the HTTP client), and a fresh name is injected on replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/lang?set=vouch%0D%0AX-Vouch-1a2b3c4d5e%3A%201",
      "summary": "query set is reflected into set-cookie; with \"vouch\\r\\nX-Vouch-1a2b3c4d5e: 1\" the 302 response carries its own header X-Vouch-1a2b3c4d5e: 1"
    }
  },
  {
    "id": "csrf",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Cross-site request forgery",
      "description": "A state-changing form carries no anti-CSRF token and the server accepts it from another site with only the session cookie, so any page the user visits can act in the user's name.",
      "severity": "high",
      "cwe": "CWE-352",
      "owasp": "A01:2021 Broken Access Control",
      "remediation": "Require a per-session (or per-request) anti-CSRF token in every state-changing form and check it on the server; set session cookies SameSite=Lax or Strict; never change state on GET; ask for the current password before changing it.",
      "proves": "A password-change form, sent cross-site (another site's Referer/Origin, no token, only the session cookie) with the identity's own current password as the new one, answers with a success message that a control with a wrong current password or a mismatching confirmation lacks, replayed once more in confirmation; the form's page still answers signed in afterwards. Other forms are never submitted: a form without a token whose session cookie a cross-site POST carries is tentative."
    },
    "example": {
      "url": "http://127.0.0.1:8080/account/password?password_new=%E2%80%A6&password_conf=%E2%80%A6&Change=Change",
      "summary": "GET /account/password sent cross-site (it carries no anti-CSRF token), with only the session cookie (sid has no SameSite: a link or an image sends it) and alice's current password as the new one → 200 \"Password Changed\" where the control with a mismatching password_conf got 200 without it; /account/password still answers signed in afterwards"
    }
  },
  {
    "id": "file-upload",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Unrestricted file upload",
      "description": "An upload stores any file it is given and serves it back from the target's own origin as active content: an HTML page as text/html (script runs with the site's cookies) or a PHP script that the server executes.",
      "severity": "high",
      "cwe": "CWE-434",
      "owasp": "A04:2021 Insecure Design",
      "remediation": "Accept only the types the feature needs (check the content, not the name or the declared type), store uploads outside the web root or on another origin, give them random names, and serve them with `Content-Disposition: attachment` and a fixed safe content type.",
      "proves": "A file vouch created (vouch-<random>.html, .php) is served, at the URL the upload answer names, as text/html with its marker, or as the PHP script's evaluated output (7*6 printed as 42, no source); fetched again, while a name vouch never uploaded does not show the marker."
    },
    "example": {
      "url": "http://127.0.0.1:4280/vulnerabilities/upload/",
      "summary": "POST /vulnerabilities/upload/ took vouch-3f2a9c1b7d4e.html (text/html); GET /hackable/uploads/vouch-3f2a9c1b7d4e.html: served as text/html with the uploaded markup"
    }
  },
  {
    "id": "graphql-field-suggestions",
    "family": "security",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "GraphQL field suggestions leak the schema",
      "description": "Introspection is turned off, but the endpoint's validation errors still suggest real field names (\"Cannot query field \"produc\" on type \"Query\". Did you mean \"product\"?\"): anyone can rebuild the hidden schema a name at a time (tools like Clairvoyance automate it).",
      "severity": "low",
      "cwe": "CWE-209",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Strip suggestions from errors in deployed environments (graphql-armor `blockFieldSuggestions`, Apollo Server 4 `hideSchemaDetailsFromClientErrors`, or a `formatError` that drops \"Did you mean …\"), alongside introspection off.",
      "proves": "An introspection query gets no schema, and a query naming near misses of field names gets an error suggesting real ones; a replay suggests them again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/graphql",
      "summary": "POST /graphql: introspection refused (400), yet near-miss field names got suggestions naming 2 real field(s): order, product"
    }
  },
  {
    "id": "graphql-introspection",
    "family": "security",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "GraphQL introspection open to anonymous callers",
      "description": "A GraphQL endpoint answers an introspection query from a caller without credentials with its full schema: every query, mutation, argument and type, including ones the user interface never shows.",
      "severity": "low",
      "cwe": "CWE-200",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Turn introspection off in deployed environments (Apollo `introspection: false`, graphql-js `NoSchemaIntrospectionCustomRule`, NestJS `GraphQLModule.forRoot({ introspection: false })`), or allow it only to signed-in developers; turn the GraphiQL/Playground IDE off too.",
      "proves": "An introspection query sent without credentials gets a 200 JSON answer whose `data.__schema` lists the types, and a replay gets it again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/graphql",
      "summary": "POST /graphql with an introspection query and no credentials → 200 with the schema: 14 type(s) (Query, Mutation, Product, User, Order, …), query root Query, mutation root Mutation"
    }
  },
  {
    "id": "jwt-weakness",
    "family": "security",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Forgeable JSON Web Tokens",
      "description": "The API accepts tokens anyone can make: signed with alg \"none\", with a signature it never verifies, with a key the token names (jku, x5u) or carries (jwk, x5c), with a key chosen through the kid header, or expired; or it pastes the kid into SQL; or it signs them with an HMAC secret found in a list of weak secrets or digit runs. Every sign-in operation is a token issuer, tried against the operations that accept its tokens.",
      "severity": "critical",
      "cwe": "CWE-347",
      "owasp": "A02:2021 Cryptographic Failures",
      "remediation": "Verify every token with a fixed algorithm allow-list (never \"none\", never taken from the token header) and keys the server holds (never a key or key URL from the token: ignore jku, x5u, jwk and x5c, or pin them to an allow-list), look kid up in a fixed map, and sign with a random secret of at least 256 bits kept out of source control (or an asymmetric key); rotate the secret now.",
      "proves": "A forged token (fresh random claim, no valid signature from the issuer) answered 2xx on an operation that refuses the same request without a token and with a garbage signature (for a key vouch made and the token named or carried: the forgery with a garbage signature refused too, and a named URL fetched from vouch's listener); replayed with a fresh claim at confirmation. A kid SQL injection: a delay that follows the one asked for through the kid, against same-run controls. A weak secret no forgery can prove more: the secret reproduces the signature of a token the target issued, re-verified offline."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/users/me",
      "summary": "GET /api/users/me with an unsigned token (header {\"alg\":\"none\"}) → 200; a garbage signature → 401; without a token → 401"
    }
  },
  {
    "id": "ldap-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "LDAP injection",
      "description": "A parameter is pasted into an LDAP search filter (or is the filter): a parenthesis breaks it (error-based) or an added assertion or wildcard changes which entries match (boolean-based), so a caller can list the directory or bypass a login.",
      "severity": "high",
      "cwe": "CWE-90",
      "owasp": "A03:2021 Injection",
      "remediation": "Escape every value placed in a filter (RFC 4515: \\28 \\29 \\2a \\5c \\00), or build filters with the LDAP library's filter objects; never accept a filter from the caller.",
      "proves": "Error-based: an LDAP filter error comes back on replay while the escaped (or well-formed) control and the original value do not. Boolean-based: (objectClass=*) and-ed in answers like the original value while a never-true assertion differs, or a wildcard answers otherwise than values no entry has while two such values answer alike, twice more with fresh values."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/users/ldap?query=(%26(objectClass=person)(email=a@example.com)",
      "summary": "query query: \"(&(objectClass=person)(email=a@example.com)\" → 500 with LDAP error \"Bad search filter\" (OpenLDAP); the well-formed \"(&(objectClass=person)(email=vouch1a2b3c4d))\" and the original value gave none"
    }
  },
  {
    "id": "mixed-content",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Mixed content on HTTPS pages",
      "description": "An HTTPS page loads resources over plain HTTP; a network attacker can replace an http script or stylesheet and take over the page, or swap images and media.",
      "severity": "medium",
      "cwe": "CWE-319",
      "owasp": "A02:2021 Cryptographic Failures",
      "remediation": "Load every subresource over https (or protocol-relative to the page), and add `Content-Security-Policy: upgrade-insecure-requests` as a safety net.",
      "proves": "The recorded 2xx text/html response of an https URL itself: the tag and its http:// URL are the evidence."
    },
    "example": {
      "url": "https://shop.example/",
      "summary": "GET / (https) → 200 text/html loads <script> from http://cdn.example/app.js"
    }
  },
  {
    "id": "nosql-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "NoSQL operator injection",
      "description": "A value reaches a document-database query as is: an object like {\"$ne\": x} (or p[$ne]=x in a URL) becomes a query operator and matches records the value should not.",
      "severity": "high",
      "cwe": "CWE-943",
      "owasp": "A03:2021 Injection",
      "remediation": "Check the type of every value before it reaches a query (a string must be a string), reject keys starting with $ (e.g. mongo-sanitize), and turn off bracket parsing into objects for parameters that are scalars.",
      "proves": "The operator answers successfully and differently from a literal value that matches nothing, while the same object with a non-operator key answers like the literal; repeated with a fresh value."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/users?name%5B%24ne%5D=vouch1a2b3c4d5e",
      "summary": "query name[$ne]=… → 200 unlike the literal control (200, 12% similar), while the non-operator key xne answers like the literal"
    }
  },
  {
    "id": "open-redirect",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Open redirect",
      "description": "A parameter decides where the server redirects, and any external host is accepted, so links on your domain can send users to a phishing site.",
      "severity": "medium",
      "cwe": "CWE-601",
      "owasp": "A01:2021 Broken Access Control",
      "remediation": "Redirect only to relative paths (reject `//` and `\\` prefixes) or to hosts on an allow-list; better, map an opaque key to the destination server-side.",
      "proves": "A 3xx whose Location resolves (against the request URL) to a random attacker host vouch chose, again with a fresh host on replay. The redirect is never followed."
    },
    "example": {
      "url": "http://127.0.0.1:8080/login?next=https%3A%2F%2Fvouch-redirect-1a2b3c4d5e.example%2F",
      "summary": "query next=https://vouch-redirect-1a2b3c4d5e.example/ → 302 Location: https://vouch-redirect-1a2b3c4d5e.example/"
    }
  },
  {
    "id": "path-traversal",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Path traversal / file inclusion",
      "description": "A parameter names a file and the server opens it without confining it to its folder: ../ (or an absolute path) reads any file the process can.",
      "severity": "high",
      "cwe": "CWE-22",
      "owasp": "A01:2021 Broken Access Control",
      "remediation": "Never build a file path from input: map the input to a fixed list of files (an id → path table), or resolve the path and refuse it unless it stays inside the intended folder.",
      "proves": "The response carries content markers of a known file (/etc/passwd root:x:0:0, win.ini, package.json) absent from the original response; the replay carries them again while the same climb to a file that cannot exist does not."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/files?name=..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
      "summary": "query name=\"../../../../../../../../etc/passwd\" (relative climb) → 200 with unix-passwd content \"root:x:0:0:root:/root:/bin/bash\""
    }
  },
  {
    "id": "redos",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Regular expression denial of service (ReDoS)",
      "description": "A string parameter is checked by a backtracking regular expression (a nested quantifier such as `(a+)+` or a naive e-mail pattern): its answer time grows exponentially with the length of a value that almost matches, so a few dozen characters tie up the server.",
      "severity": "medium",
      "cwe": "CWE-1333",
      "owasp": "API4:2023 Unrestricted Resource Consumption",
      "remediation": "Rewrite the pattern without nested or overlapping quantifiers (or use a linear-time engine such as RE2), cap the input length before matching, and validate e-mail addresses with a simple check plus a confirmation mail.",
      "proves": "Pattern-breaking values of growing length (16, 20, 24… characters) against same-length benign controls, stopped at the first step over the bound; that step and the one below are measured in three rounds, control and payload taking turns to go first: the fastest longer payload beats the slowest control by the margin and the bound, and its extra time is `growth` times the shorter one's. A replay measures three fresh rounds and must show the same."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/search?q=aaaaaaaaaaaaaaaaaaaaaaaaaaa%21",
      "summary": "query q: the time still grows in 3 more rounds (28 chars: 1022 ms, 1019 ms, 1031 ms (controls 2, 3, 2 ms); 24 chars: 108 ms, 104 ms, 110 ms (controls 2, 2, 3 ms)); the controls stay fast"
    }
  },
  {
    "id": "secrets-in-responses",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Secrets in responses",
      "description": "Responses carry credentials: cloud keys, private keys, API tokens, or other users' session tokens, readable by whoever can make the request.",
      "severity": "high",
      "cwe": "CWE-200",
      "owasp": "A01:2021 Broken Access Control",
      "remediation": "Remove the secret from the response (and from the code or configuration that put it there), then rotate it: treat every exposed secret as compromised.",
      "proves": "The recorded response itself: a secret of a recognizable format (or a high-entropy value named like a key) that the request did not contain. The evidence shows only its first characters."
    },
    "example": {
      "url": "http://127.0.0.1:8080/debug/env",
      "summary": "GET /debug/env → 200 carries an AWS access key id (AKIA…[20 characters redacted])"
    }
  },
  {
    "id": "security-headers",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Missing security headers",
      "description": "HTML pages are served without the browser protections a Content-Security-Policy, X-Content-Type-Options: nosniff and X-Frame-Options (or CSP frame-ancestors) give.",
      "severity": "low",
      "cwe": "CWE-693",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Set the headers once for every HTML response (middleware or reverse proxy): a Content-Security-Policy with a nonce- or hash-based script-src, X-Content-Type-Options: nosniff, and frame-ancestors 'none' (or X-Frame-Options: DENY).",
      "proves": "The recorded 2xx text/html response itself: its headers lack the protection (cited by exchange id)."
    },
    "example": {
      "url": "http://127.0.0.1:8080/",
      "summary": "GET / → 200 text/html with no Content-Security-Policy header; 3 more page(s) alike"
    }
  },
  {
    "id": "sensitive-files",
    "family": "security",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Sensitive file or endpoint exposed",
      "description": "A file or endpoint that should never be public answers: environment files, the .git folder, environment or debug dumps, phpinfo, backups of source and config files, database files, consoles.",
      "severity": "high",
      "cwe": "CWE-538",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Remove the file from the web root (or block the path at the proxy), turn debug and actuator endpoints off in deployed environments, and rotate every secret that was exposed.",
      "proves": "A 200 carrying a marker specific to that file (e.g. `[core]` for .git/config, KEY= lines for .env, `<?php` source in a .bak, the SQLite header), unlike the answer to a random path, again on replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/.env",
      "summary": "GET /.env → 200 with DATABASE_URL=…; a random path gave 404"
    }
  },
  {
    "id": "sql-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "SQL injection",
      "description": "A parameter is pasted into an SQL statement: a quote breaks it (error-based), an added condition changes the answer (boolean-based) or a sleep delays it (time-based).",
      "severity": "high",
      "cwe": "CWE-89",
      "owasp": "A03:2021 Injection",
      "remediation": "Use parameterized queries (placeholders) for every value that reaches SQL; never build SQL by string concatenation.",
      "proves": "Error-based: the database error comes back on replay while a balanced-quote control does not error. Boolean-based: true and false conditions differ again with fresh operands while the original value answers like the true one. Time-based: 0 s, d and 2d delays each against a same-run control, the delay following the payload."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products/search?q=phone%27",
      "summary": "query q: \"phone'\" → 500 with SQLite error \"unrecognized token:\"; the original value gave none"
    }
  },
  {
    "id": "ssrf",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Server-side request forgery",
      "description": "A parameter holding a URL makes the server itself request that URL, so an attacker can reach internal services, cloud metadata or other hosts through it.",
      "severity": "high",
      "cwe": "CWE-918",
      "owasp": "A10:2021 Server-Side Request Forgery",
      "remediation": "Fetch only from an allow-list of hosts (resolved and re-checked after DNS, redirects off), block private, loopback and link-local ranges, and prefer an opaque id over a caller-supplied URL.",
      "proves": "vouch's out-of-band listener received a request carrying the random token of the URL sent in that parameter (a token sent nowhere else), and again with a fresh token on replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/preview?url=http%3A%2F%2F127.0.0.1%3A40123%2Fv%2F1a2b3c4d5e6f7a8b",
      "summary": "query url=http://127.0.0.1:40123/v/1a2b3c4d5e6f7a8b → 200; the server then requested GET /v/1a2b3c4d5e6f7a8b at vouch's listener with the token"
    }
  },
  {
    "id": "technology-disclosure",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Software version disclosed in response headers",
      "description": "Responses name the server software and its exact version (Server, X-Powered-By, X-AspNet-Version…), telling an attacker which known vulnerabilities to try.",
      "severity": "low",
      "cwe": "CWE-497",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Remove the version from these headers (or the headers): `expose_php = Off`, `ServerTokens Prod`, `server_tokens off`, `app.disable('x-powered-by')`, `<httpRuntime enableVersionHeader=\"false\">`, or strip them at the proxy.",
      "proves": "The recorded response itself: the header and its value naming a product and a version (cited by exchange id)."
    },
    "example": {
      "url": "http://127.0.0.1:8080/healthcheck",
      "summary": "GET /healthcheck → 200 with x-powered-by: PHP/8.2.36 (discloses PHP 8.2.36); 12 more page(s) alike"
    }
  },
  {
    "id": "template-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Server-side template injection",
      "description": "A parameter becomes part of a server-side template: template expressions in it are evaluated, which in most engines leads to code execution.",
      "severity": "critical",
      "cwe": "CWE-1336",
      "owasp": "A03:2021 Injection",
      "remediation": "Pass input to templates as data (a variable the template prints, auto-escaped), never concatenate it into template source; when users must write templates, use a sandboxed logic-less engine.",
      "proves": "The product of two random numbers, written as a template expression, comes back evaluated; a replay with fresh operands shows the new product, while the bare expression without template delimiters and the original request do not."
    },
    "example": {
      "url": "http://127.0.0.1:8080/greet?name=ada%7B%7B4721*809%7D%7D",
      "summary": "query name=\"ada{{4721*809}}\" → 200 containing 3819289 = 4721*809 evaluated (Jinja2, Twig, Nunjucks, Angular syntax)"
    }
  },
  {
    "id": "verbose-errors",
    "family": "security",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "Verbose error output (stack trace or debug page)",
      "description": "A response shows a stack trace or a framework debug page, which discloses file paths, code, versions and sometimes settings to anyone who can trigger an error.",
      "severity": "low",
      "cwe": "CWE-209",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Turn debug mode off in deployed environments and answer errors with a generic message and a correlation id; log the details server-side.",
      "proves": "The recorded response contains a stack frame with a file and line, or a framework debug page marker (the matching line is the evidence)."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/orders/abc",
      "summary": "GET /api/orders/abc → 500 shows a Node.js stack trace: \"at getOrder (/app/src/orders.js:42:11)\""
    }
  },
  {
    "id": "weak-session-id",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Predictable session identifier",
      "description": "An operation issues a cookie whose values follow from the previous ones or from the clock (a counter, the Unix time, a hash of either, or a handful of characters), so another user’s value can be guessed.",
      "severity": "high",
      "cwe": "CWE-330",
      "owasp": "A07:2021 Identification and Authentication Failures",
      "remediation": "Issue session identifiers from a cryptographically secure random generator with at least 128 bits of entropy (the framework’s session manager does); never derive them from counters, time or user data, hashed or not.",
      "proves": "The values issued by repeated identical requests (6 by default) fit a model (counter, Unix time, MD5/SHA-1/SHA-256 of either), and the next request issues the value the model predicts (the counter’s next value, or the time in the predicted window); short values stay tentative."
    },
    "example": {
      "url": "http://127.0.0.1:8080/session/new",
      "summary": "6 × POST /session/new set sid = 7, 8, 9, 10, 11, 12: a counter stepping by 1; the next is predicted to be 13; the next request set sid = 13, as predicted (13)"
    }
  },
  {
    "id": "xpath-injection",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "XPath injection",
      "description": "A parameter is pasted into an XPath expression: a quote or bracket breaks it (error-based) or an added XPath condition changes the answer (boolean-based), so a caller can read the whole XML document or bypass a login.",
      "severity": "high",
      "cwe": "CWE-643",
      "owasp": "A03:2021 Injection",
      "remediation": "Never build XPath from strings: use variables bound by the XPath API (XPathVariableResolver, lxml/xpath variables), or validate the value against a strict allow-list and escape quotes.",
      "proves": "Error-based: an XPath engine error comes back on replay while the balanced control (the same quote closed, or the bracket with a predicate) and the original value do not. Boolean-based: true and false string-length() conditions — XPath-only syntax — answer differently twice more with fresh operands, the one that leaves the query unchanged like the original value."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/partners/search?keyword=Walter'",
      "summary": "query keyword: \"Walter'\" → 500 with XPath error \"XPath parse error\" (xpath (Node)); the balanced \"Walter'='\" and the original value gave none"
    }
  },
  {
    "id": "xss-dom",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "DOM-based cross-site scripting",
      "description": "Script on the page copies the URL fragment or a query parameter into an HTML or script sink, so a link can run script in the site's origin without the server ever seeing the payload.",
      "severity": "high",
      "cwe": "CWE-79",
      "owasp": "A03:2021 Injection",
      "remediation": "Write untrusted values with textContent / setAttribute (never innerHTML, document.write, eval or a javascript: URL), or sanitize with a vetted library (DOMPurify); add Trusted Types and a nonce-based CSP.",
      "proves": "Confirmed only by execution: the page with the payload in the source, loaded in Chromium (other origins blocked, CSP honoured), calls vouchProof with the exact random nonce, and again with a fresh nonce."
    },
    "example": {
      "url": "http://127.0.0.1:8080/welcome#%3Cimg%20src=x%20onerror=vouchProof(%271a2b3c4d5e%27)%3E",
      "summary": "location.hash=<img src=x onerror=vouchProof('1a2b3c4d5e')> → in Chromium the page's own script ran it and called vouchProof('1a2b3c4d5e')"
    }
  },
  {
    "id": "xss-reflected",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Reflected cross-site scripting",
      "description": "A query parameter, a posted form, JSON or raw-body field, or the path after a server script is copied into the HTML page answering it without escaping, so a link or a cross-site form can run script in the site's origin.",
      "severity": "high",
      "cwe": "CWE-79",
      "owasp": "A03:2021 Injection",
      "remediation": "Escape output for its context with the template engine's auto-escaping (never mark user input as safe), and add a nonce-based Content-Security-Policy as a second line of defence.",
      "proves": "Confirmed only by execution: the page loaded in Chromium (other origins blocked) calls vouchProof with the exact random nonce. An unescaped reflection alone stays tentative."
    },
    "example": {
      "url": "http://127.0.0.1:8080/search?q=%3Cimg%20src%3Dx%20onerror%3D%22vouchProof(%271a2b3c4d5e%27)%22%3E",
      "summary": "query q reflected unescaped in html context; in Chromium the payload ran and called vouchProof('1a2b3c4d5e')"
    }
  },
  {
    "id": "xss-stored",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Stored cross-site scripting",
      "description": "A value saved through this operation is later shown on a page without escaping, so one submission runs script in the browser of everyone who views that page.",
      "severity": "high",
      "cwe": "CWE-79",
      "owasp": "A03:2021 Injection",
      "remediation": "Escape stored values for their output context when rendering (template auto-escaping; never mark user content safe), sanitize rich text with an allow-list sanitizer, and add a nonce-based Content-Security-Policy.",
      "proves": "Confirmed only by execution: after a fresh payload is stored, the page that renders it, loaded in Chromium (other origins blocked, CSP honoured), calls vouchProof with that payload's exact random nonce. An unescaped marker alone stays tentative."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/comments",
      "summary": "json text=<img src=x onerror=\"vouchProof('1a2b3c4d5e')\"> stored by POST /api/comments; GET /guestbook ran it in Chromium and called vouchProof('1a2b3c4d5e')"
    }
  },
  {
    "id": "xxe",
    "family": "security",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "XML external entity (XXE) resolution",
      "description": "The XML parser resolves external entities in request bodies, so an attacker can read server files or make the server send requests.",
      "severity": "high",
      "cwe": "CWE-611",
      "owasp": "A05:2021 Security Misconfiguration",
      "remediation": "Turn off DTD processing (or at least external entities and external DTDs) in the XML parser; most parsers have one switch (e.g. libxml2 without NOENT/DTDLOAD, Java disallow-doctype-decl).",
      "proves": "A local file's contents (root:x:0:0: from /etc/passwd) in the response that an internal-entity control lacks, or a callback carrying the payload's random token at vouch's out-of-band listener; replayed at confirmation."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/import",
      "summary": "POST /api/import with an XML body declaring an external entity → 200; the response carries \"root:x:0:0:\" from file:///etc/passwd; an internal-entity control → 200 without it"
    }
  },
  {
    "id": "content-type-conformance",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Response media type differs from the spec",
      "description": "The response's Content-Type is not the media type the OpenAPI document declares for that status (or a body comes without one), so clients parse it wrongly.",
      "severity": "low",
      "cwe": "CWE-436",
      "remediation": "Send the declared Content-Type (e.g. application/json for JSON bodies), or declare the media type actually sent.",
      "proves": "The Content-Type header of the response differs from the declared media type, the same on an exact replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/reports/summary",
      "summary": "GET /api/reports/summary → 200 with Content-Type text/html; the spec declares application/json; the exact replay sends text/html again"
    }
  },
  {
    "id": "negative-data-rejection",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Invalid data accepted",
      "description": "The server accepts (2xx) a request body that breaks its own documented schema (a missing required field, a wrong type, a value out of range or not in the enum, a string too long).",
      "severity": "medium",
      "cwe": "CWE-20",
      "owasp": "A04:2021 Insecure Design",
      "remediation": "Validate request bodies against the schema at the boundary (a schema validator in the route) and answer 400/422 naming the field.",
      "proves": "A body that breaks exactly one constraint of the request schema is answered 2xx, and again 2xx on an exact replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/orders",
      "summary": "POST /api/orders json quantity=0 (quantity below minimum 1) → 201: the server accepted data its own contract forbids"
    }
  },
  {
    "id": "positive-data-acceptance",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Valid data rejected",
      "description": "The server answers 400/422 to a request that is valid under its own OpenAPI document: the spec promises more than the server accepts.",
      "severity": "low",
      "cwe": "CWE-1068",
      "remediation": "Accept what the spec allows, or tighten the spec (minLength, pattern, enum, required) to what the server really accepts.",
      "proves": "A spec-valid request (checked with ajv), shrunk to a minimal one, is rejected with a validation error (field locations or a broken constraint named), and again on an exact replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products/search?q=",
      "summary": "GET /api/products/search with spec-valid data (positive: generated #3, shrunk in 4 requests) → 400 \"q is required\"; the exact replay → 400 again"
    }
  },
  {
    "id": "response-headers-conformance",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Declared response header missing or invalid",
      "description": "A response lacks a header its OpenAPI document declares as required (e.g. Location, X-RateLimit-Remaining), or sends one whose value breaks the declared schema.",
      "severity": "low",
      "cwe": "CWE-1068",
      "remediation": "Send the declared headers with values of the declared type, or correct the spec.",
      "proves": "The same header problems appear on an exact replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/orders",
      "summary": "POST /api/orders → 201: required header Location missing; the exact replay shows it again"
    }
  },
  {
    "id": "response-schema-conformance",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Response does not match its schema",
      "description": "A 2xx JSON response breaks the schema the OpenAPI document declares for that status: clients built from the spec will mis-read it.",
      "severity": "medium",
      "cwe": "CWE-1068",
      "remediation": "Make the response match the documented schema (types, required fields, enums), or fix the spec; validate responses against the spec in the test suite.",
      "proves": "ajv validation of the JSON body against the declared schema fails, and fails the same way on a replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products/1",
      "summary": "GET /api/products/{id} → 200 breaks its documented schema: /price must be number; the replay breaks it the same way"
    }
  },
  {
    "id": "shadow-endpoint",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Undocumented (shadow) endpoint answers",
      "description": "A route that is in no spec, page or script — found only by probing paths built from the application's own words and a few common ones — is live and answers 2xx.",
      "severity": "medium",
      "cwe": "CWE-1059",
      "owasp": "API9:2023 Improper Inventory Management",
      "remediation": "Remove the route, or document it in the spec with its authentication requirement; internal and debug routes belong behind a separate listener or an authenticated gateway.",
      "proves": "The route answers 2xx, a random sibling path under the same prefix does not answer the same (no catch-all), and a replay answers 2xx again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/internal/stats",
      "summary": "GET /api/internal/stats → 200 (application/json, 88 bytes) though it is in no spec, page or script; a random sibling path → 404"
    }
  },
  {
    "id": "status-code-conformance",
    "family": "conformance",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Undocumented status code",
      "description": "The operation answers a status code that its OpenAPI document does not declare, so clients generated from the spec do not handle it.",
      "severity": "low",
      "cwe": "CWE-1068",
      "remediation": "Declare every status the operation can answer (including 400, 401, 404 and 500 where they occur), or stop answering the undeclared one.",
      "proves": "The exact request that got the undeclared status is replayed and gets the same status again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products/abc",
      "summary": "GET /api/products/{id} (spec example) → 500, which the spec does not declare (declared: 200, 400, 404); the exact replay → 500 again"
    }
  },
  {
    "id": "availability",
    "family": "reliability",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Target became unavailable during the scan",
      "description": "A health probe that answered before stops answering (connection refused, timeout, 5xx) while vouch exercises the target: the deployment cannot take ordinary test traffic.",
      "severity": "high",
      "cwe": "CWE-400",
      "remediation": "Find what brought it down (crash log, memory, connection pool, an unhandled input from the audit log around the failed probe) and add a readiness check to the deployment.",
      "proves": "A probe that first answered 2xx/3xx/4xx later fails, and a confirmation probe fails too; a failure that recovers stays tentative as flaky."
    },
    "example": {
      "url": "http://127.0.0.1:8080/",
      "summary": "GET / answered 200 first, then probe 4/5 → ECONNREFUSED; a confirmation probe → ECONNREFUSED"
    }
  },
  {
    "id": "graphql-cost-limits",
    "family": "reliability",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "GraphQL endpoint without alias, batch or depth limits",
      "description": "A GraphQL endpoint executes as many aliases of a field in one query, as many operations in one JSON batch, or a query nested as deep as a caller sends: one request can carry the work of hundreds (resource exhaustion, and brute force that slips past per-request rate limits).",
      "severity": "medium",
      "cwe": "CWE-770",
      "owasp": "API4:2023 Unrestricted Resource Consumption",
      "remediation": "Limit aliases, depth and cost per operation (graphql-armor `maxAliases`/`maxDepth`/`costLimit`, Apollo or Hot Chocolate cost analysis, graphql-depth-limit) and the size of a batch (Apollo `allowBatchedHttpRequests: false`, or a maximum); answer a refusal with an `errors` entry or 400/413.",
      "proves": "A ladder of 1 … N aliases of `__typename` (and a JSON batch of 1 … N operations, and a query nested 3, 6, 12, 24 levels along a self-referencing path of the introspected schema, lists held to one item) stops at the first refusal or at a time bound; the largest rung answered in full (every alias or operation in `data`, the answer that many levels deep) is replayed and answered in full again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/graphql",
      "summary": "POST /graphql: 100 aliases of __typename in one query and a JSON batch of 50 operations answered in full"
    }
  },
  {
    "id": "graphql-malformed-variables",
    "family": "reliability",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "GraphQL endpoint crashes on malformed variables",
      "description": "A GraphQL request whose `variables` is not an object (a string, an array, a number) or holds an object where a scalar is declared must be refused (a 4xx, or a 200 with `errors`). This endpoint answers 5xx or drops the connection: input reaches code that does not expect it.",
      "severity": "medium",
      "cwe": "CWE-20",
      "remediation": "Validate the request envelope before executing: `variables` must be a JSON object or null; coerce variables against their declared types (a GraphQL server library does both) and answer 400 with a GraphQL `errors` array.",
      "proves": "The well-formed request of the same field gets a real answer; the malformed one answers 5xx (or nothing), again on a replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/graphql",
      "summary": "POST /graphql query.search with variables as a string → HTTP 500; the well-formed request → 200"
    }
  },
  {
    "id": "max-response-time",
    "family": "reliability",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Slow response",
      "description": "The median response time of an operation, over several identical requests, is above the threshold.",
      "severity": "medium",
      "cwe": "CWE-400",
      "remediation": "Profile the operation (queries without an index, N+1 queries, synchronous calls to slow services), add pagination or caching, and set a latency budget in CI.",
      "proves": "Every sample is cited: the p50 of `samples` identical requests (time to the last body byte) exceeds `thresholdMs`."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/reports/sales",
      "summary": "p50 1503 ms, p95 1520 ms over 5 requests > 1000 ms (GET /api/reports/sales → 200)"
    }
  },
  {
    "id": "not-a-server-error",
    "family": "reliability",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Server error (5xx)",
      "description": "The operation answers a 5xx to its ordinary request or to an edge-case value, instead of a result or a 4xx.",
      "severity": "medium",
      "cwe": "CWE-754",
      "remediation": "Validate input at the boundary and answer 4xx for values the operation cannot handle; catch and log unexpected errors without leaking them.",
      "proves": "The exact request that got a 5xx is replayed and gets a 5xx again; a failure that does not reproduce stays tentative as flaky."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products?limit=-1",
      "summary": "query limit=\"-1\" (negative) → 500 \"TypeError: Cannot read properties of undefined\"; the exact replay → 500 again"
    }
  },
  {
    "id": "resource-availability",
    "family": "reliability",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Created resource not retrievable",
      "description": "The create operation answers success with an id, but the read operation for that id answers 404 (or another failure): the link between them is broken.",
      "severity": "medium",
      "cwe": "CWE-1068",
      "remediation": "Return the id the read operation accepts (and the Location header), and make the resource readable by its creator as soon as the create answers.",
      "proves": "Create → 2xx with an id; reading that id fails, and fails again on a replay."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/notes/8",
      "summary": "POST /api/notes → 201 (id 8); GET /api/notes/8 → 404; read again → 404"
    }
  },
  {
    "id": "target-outage",
    "family": "reliability",
    "kind": "passive",
    "scope": "target",
    "meta": {
      "title": "A request brought the target down",
      "description": "The target stopped answering in the middle of the scan (connection refused or reset, timeouts, and a probe of a known-good request failed too) right after a request: that request may crash or hang the service.",
      "severity": "high",
      "cwe": "CWE-400",
      "remediation": "Replay the request in the proof against a test deployment and read the service log: bound the work one request can cause (timeouts, input limits), catch the error that kills the worker, and add a readiness check.",
      "proves": "Outside safe mode the suspect request is replayed once, after the target recovered: it stops answering again → confirmed, and vouch waits for it to recover once more. In safe mode, or when it never recovered, the finding stays tentative."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/import",
      "summary": "POST http://127.0.0.1:8080/api/import (exchange x000042) was the last request before the target stopped answering: it got TIMEOUT after 15.0 s; the target answered again 21.3 s later; the replay brought it down again (outage-2)"
    }
  },
  {
    "id": "unbounded-work",
    "family": "reliability",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Unbounded work from a size parameter",
      "description": "A numeric parameter sets how much work one request does (nesting depth, item count, page size, iterations) and the server neither caps nor refuses large values: the answer grows in size or time with the value, so one request can tie up the server or exhaust its memory.",
      "severity": "medium",
      "cwe": "CWE-770",
      "owasp": "API4:2023 Unrestricted Resource Consumption",
      "remediation": "Declare and enforce a maximum for every parameter that sizes work (`maximum` in the schema, validated before any work starts), answer larger values with 400, and paginate lists with a server-side page-size cap.",
      "proves": "A ladder of values (1 twice as the control and its repeat, then 10, 100, 1 000, 10 000) stopped at the first rung over a time or size bound: the answer's size rose on at least three rungs in a row (its time: on two, over fast controls), each grown in proportion to the value and far beyond the controls' noise, with no 4xx and no clamp; a replay of the control, the rung below the top and the top shows the growth again (a time: in three rounds, the top's fastest answer over the slowest control)."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/nestedJson?depth=1000",
      "summary": "query depth: the answer's size grows with the value (10 → 66 B, 100 → 696 B, 1000 → 7896 B; 1 → 12 B), neither clamped nor refused; 10000 → HTTP 500"
    }
  },
  {
    "id": "use-after-delete",
    "family": "reliability",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Resource readable after delete",
      "description": "After a DELETE that answered success, the same resource is still returned by its read operation: the delete is not effective (or only hides it from lists).",
      "severity": "medium",
      "cwe": "CWE-672",
      "remediation": "Make DELETE remove the resource (or mark it deleted and have every read honour the mark); answer 404/410 afterwards.",
      "proves": "Create → read (2xx) → delete (2xx) → read (2xx); a second read after the delete answers 2xx again."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/notes/7",
      "summary": "POST /api/notes → 201 (id 7); DELETE /api/notes/7 → 204; GET /api/notes/7 → 200 still; a second read after the delete → 200 again"
    }
  },
  {
    "id": "account-enumeration",
    "family": "authorization",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Account enumeration",
      "description": "A sign-in, sign-up or password-reset operation answers an existing account differently from an unknown one (status, message or time), so anyone can learn which usernames or e-mail addresses have accounts.",
      "severity": "medium",
      "cwe": "CWE-204",
      "owasp": "API2:2023 Broken Authentication",
      "remediation": "Answer every account the same way: one status and message for a wrong password and an unknown user (\"invalid credentials\"), \"if the account exists, we sent a code\" for resets, and the same work (hash a dummy password) whatever the account, so the time does not tell either.",
      "proves": "A configured account (its login worked) and two random unknown ones of the same format: the unknown ones agree, the existing one differs in status or masked body, or is slower by a ratio and a margin; a replay with two fresh unknown accounts gives the same difference (sign-in: a wrong password, at most twice per account and scan)."
    },
    "example": {
      "url": "http://127.0.0.1:4347/reset-password",
      "summary": "POST /reset-password json:username: the existing account \"johndoe\" → 200 {\"detail\":\"PIN code sent to your phone number\"}; two unknown accounts → 400 {\"detail\":\"Invalid username\"}"
    }
  },
  {
    "id": "bfla",
    "family": "authorization",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Broken function-level authorization",
      "description": "A plain user can perform an operation meant only for administrators: the server checks that the caller is signed in, not that their role may use the function.",
      "severity": "high",
      "cwe": "CWE-285",
      "owasp": "API5:2023 Broken Function Level Authorization",
      "remediation": "Deny by default and check the role (or permission) in every admin operation, ideally in one middleware for the whole admin router; answer 403 to other roles.",
      "proves": "An operation the spec (an /admin path, an admin tag, \"(admin)\" in its summary) or vouch.yaml (checks.bfla.options.adminOnly) marks admin-only succeeds for a plain user (a read 2xx, or a write probe with an invalid id or body refused for validation, not authorization) while the same request without credentials is refused; a replay as the user answers the same. A GraphQL query field named admin… (or so described, or listed as GRAPHQL query.field) gives a plain user non-null data where the anonymous identity gets none (an errors array with null data is a refusal), and a replay gives data again. A delete of an item (DELETE /c/{id}) whose collection's create the privileged identity may use and a plain user is refused (401/403): the privileged identity creates an object and reads it, the user deletes it (2xx), the privileged identity reads it gone (404, or no longer listed); the whole test again on a fresh object confirms it."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/admin/users",
      "summary": "bob, a plain user, can GET /api/admin/users, admin-only because its path has an admin segment: bob → 200, without credentials → 401; admin (privileged) → 200"
    }
  },
  {
    "id": "bola",
    "family": "authorization",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Broken object-level authorization (IDOR)",
      "description": "A signed-in user reads another user's object by putting its id in the URL: the server checks that the caller is signed in, not that the object is theirs.",
      "severity": "high",
      "cwe": "CWE-639",
      "owasp": "API1:2023 Broken Object Level Authorization",
      "remediation": "Check ownership (or an explicit grant) for every object loaded by id, e.g. `where id = ? and owner_id = ?`, and answer 404 for objects the caller may not see.",
      "proves": "An object of user A's (an id only A's list holds, a list item whose owner field names A, an object A created, or A's user id from A's /me put in a ?user_id= query) is read by B with a 2xx that carries A's marker — a value of A's object that B's list and B's own object never showed (lacking one, the same object A reads, never for a shared list's item) — and a replay as B reproduces it; or, for a GraphQL query field with an id argument, an id only A's answers to the endpoint's other fields hold gets B A's data for the field where the anonymous identity gets none, and a replay as B does again; or B's DELETE/PUT/PATCH of an object A created succeeds and A's read afterwards shows it gone or changed; or A's write naming B's account in its body (both accounts registered by vouch) makes B's own read of their account carry the value A sent, where it did not before (undone afterwards)."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/notes/1",
      "summary": "bob read alice's object: GET /api/notes/1 as bob → 200 with the object alice gets (id 1 is in alice's list of /api/notes, not in bob's)"
    }
  },
  {
    "id": "excess-permission",
    "family": "authorization",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Credential can do more than its intended scope",
      "description": "An identity that declares what it is meant to do (`intended` in vouch.yaml, e.g. an agent's or a service's token) can perform operations beyond that scope: its blast radius is larger than intended.",
      "severity": "high",
      "cwe": "CWE-250",
      "owasp": "API5:2023 Broken Function Level Authorization",
      "remediation": "Mint the credential with only the scopes it needs (least privilege), and enforce those scopes on every operation; review the listed capabilities and revoke the ones outside the intended scope.",
      "proves": "The credential succeeds on an operation outside its intended scope (a read answering 2xx, or a write probe with an invalid id or body refused for validation, 400/422, not for authorization) while the same request without credentials is refused (401/403); a replay as the credential answers the same."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/products/vouch-invalid",
      "summary": "agent can DELETE /api/products/{id}, outside its intended scope (GET /api/orders, GET /api/orders/{id}): the invalid request as agent → 400 (refused for validation, past authorization), without credentials → 401; alice (a plain user) → 403"
    }
  },
  {
    "id": "excessive-data-exposure",
    "family": "authorization",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Excessive data exposure",
      "description": "A response carries data the client must never get — password hashes, secrets, tokens, card numbers — usually because the server serialises whole records instead of the fields the client needs.",
      "severity": "high",
      "cwe": "CWE-213",
      "owasp": "API3:2023 Broken Object Property Level Authorization",
      "remediation": "Serialise responses from an explicit allow-list of fields (a response DTO or schema), never whole database rows; keep hashes, secrets and tokens out of every read model.",
      "proves": "A 2xx JSON response has a field named like a password hash, secret, token or card number (or a value shaped like a password hash or private key), or, without credentials, a record naming the account a configured identity signs in with — or holding a personal value that identity's own account read (/me, /profile) shows it — and carrying its phone number, address or birth date; a replay carries it again. The value is redacted in the evidence."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/users/me",
      "summary": "GET /api/users/me as alice → 200 with a password hash in passwordHash (scry…[redacted, 125 chars]), a field the spec does not document"
    }
  },
  {
    "id": "ignored-auth",
    "family": "authorization",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Authentication not enforced",
      "description": "An operation declared as requiring authentication answers the same data to a request without credentials or with an invalid token; or a read only pages closed to anonymous callers make answers them the same records of accounts.",
      "severity": "high",
      "cwe": "CWE-306",
      "owasp": "A07:2021 Identification and Authentication Failures",
      "remediation": "Enforce authentication in the route (middleware applied to the router, deny by default) and answer 401 when credentials are missing or invalid.",
      "proves": "The signed-in request and the anonymous one both answer 2xx with the same JSON shape (or ≥ 90% similar text), and an anonymous replay answers 2xx again; for a page's read, the page that makes it refuses anonymous callers (401, 403, a redirect to sign in), again at the replay, and both answers hold records of accounts."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/orders",
      "summary": "GET /api/orders without credentials → 200, same JSON shape as signed in as alice (→ 200); an anonymous replay → 200 again"
    }
  },
  {
    "id": "mass-assignment",
    "family": "authorization",
    "kind": "active",
    "scope": "operation",
    "meta": {
      "title": "Mass assignment of a privileged field",
      "description": "A create or update operation binds fields the client should not set (a role, an admin flag, an owner, a price) because the server copies the request body into the object.",
      "severity": "high",
      "cwe": "CWE-915",
      "owasp": "API3:2023 Broken Object Property Level Authorization",
      "remediation": "Bind only an allow-list of fields per operation (a strict input schema or DTO); set roles, owners and prices on the server from the caller and the catalogue, never from the body.",
      "proves": "The same request with the privileged field added (a field the request schema does not offer) creates or updates an object whose response or read-back carries the sent value, while the control request without it shows a different server-set value."
    },
    "example": {
      "url": "http://127.0.0.1:8080/api/register",
      "summary": "POST /api/register with {\"role\":\"admin\"} added (not in the request schema) → 201, the response says role \"admin\"; without it role is \"user\""
    }
  },
  {
    "id": "no-rate-limit",
    "family": "authorization",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "No rate limit on guessing credentials",
      "description": "A sign-in or a one-time code check (a reset PIN, an OTP) answers a run of wrong guesses alike, with no rate limit, lockout, CAPTCHA or growing delay, so passwords and short codes can be guessed by brute force.",
      "severity": "medium",
      "cwe": "CWE-307",
      "owasp": "API4:2023 Unrestricted Resource Consumption",
      "remediation": "Limit failed attempts per account and per client (429 with Retry-After, a growing delay, a CAPTCHA after a few failures), expire a one-time code after a handful of wrong guesses, and make codes long enough that the limit matters.",
      "proves": "N wrong guesses in a row (default 20) for an unknown account, all refused with the same masked answer, none with a 429, a Retry-After, a ratelimit header, a lockout or CAPTCHA message, and no growing delay; replayed with more guesses (default 5) that get the same answer. A per-account lockout of real accounts is not tested: vouch never guesses at them."
    },
    "example": {
      "url": "http://127.0.0.1:4347/reset-password/new-password",
      "summary": "POST /reset-password/new-password: 20 wrong guesses in 1.2 s all answered 400 {\"detail\":\"Invalid username or phone number\"}; wrong codes in json:reset_password_code for an unknown account"
    }
  },
  {
    "id": "weak-credentials",
    "family": "authorization",
    "kind": "active",
    "scope": "target",
    "meta": {
      "title": "Default credentials accepted",
      "description": "A sign-in accepts a well-known default username and password (admin/admin, admin/password, root/root…), so anyone can sign in as that account.",
      "severity": "high",
      "cwe": "CWE-1392",
      "owasp": "API2:2023 Broken Authentication",
      "remediation": "Remove or disable default and demo accounts, force a password change at first sign-in, and refuse passwords from a list of common ones.",
      "proves": "The pair signs in (a 2xx/3xx where a wrong password gets a 4xx, a token or session cookie handed out, a redirect away from the form, a \"welcome\" page) where a control with the same username and a random wrong password is refused; replayed with a fresh control. One attempt per pair; a configured account is never given a wrong password (its control is an unknown account)."
    },
    "example": {
      "url": "http://127.0.0.1:4357/api/auth/login",
      "summary": "POST /api/auth/login: the default pair admin/admin signs in (201 where the wrong password got 401; an authorization header (the wrong password got none))"
    }
  }
];
