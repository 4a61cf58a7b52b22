"""The OpenAPI 3.1 description of the verifier service's VC-API routes (``GET /openapi.json``)."""

from __future__ import annotations

from typing import Any

from verifier.api_response import PROBLEM_JSON

__all__ = ["openapi_document"]


def openapi_document() -> dict[str, Any]:
    """A small hand-written OpenAPI 3.1 document for the service."""
    problem = {"$ref": "#/components/responses/Problem"}
    verify_responses = {
        "200": {"$ref": "#/components/responses/Verified"},
        "422": {"$ref": "#/components/responses/NotVerified"},
        "400": problem,
        "413": problem,
    }

    def verify_op(summary: str, member: str, options: dict[str, Any]) -> dict[str, Any]:
        return {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": [member],
                            "properties": {
                                member: {"type": ["object", "string"]}
                                if member == "verifiableCredential"
                                else {"type": "object"},
                                "options": {"type": "object", "properties": options},
                            },
                        }
                    }
                },
            },
            "responses": verify_responses,
        }

    checks_option = {
        "type": "array",
        "items": {"type": "string"},
        "description": "Narrows which passed checks are listed; never changes `verified`.",
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "laurel verifier", "version": "1.0.0"},
        "paths": {
            "/credentials/verify": {
                "post": verify_op(
                    "Verify a credential (JSON, or a VC-JWT / Open Badges 2.0 JWS as a string)",
                    "verifiableCredential",
                    {
                        "checks": checks_option,
                        "recipient": {
                            "type": "string",
                            "description": "Who the badge should be awarded to (an email, URL "
                            "or DID): checked against its hashed recipient identity.",
                        },
                    },
                )
            },
            "/presentations/verify": {
                "post": verify_op(
                    "Verify a presentation",
                    "verifiablePresentation",
                    {
                        "challenge": {
                            "type": "string",
                            "description": "One from POST /challenges (single use), or the "
                            "caller's own, which the caller vouches for.",
                        },
                        "domain": {"type": "string"},
                        "checks": checks_option,
                    },
                )
            },
            "/challenges": {
                "post": {
                    "summary": "Issue a single-use challenge (expires after 5 minutes)",
                    "responses": {
                        "201": {
                            "description": "A fresh challenge",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Challenge"}
                                }
                            },
                        }
                    },
                }
            },
            "/1.0/identifiers/{did}": {
                "get": {
                    "summary": "Resolve a DID (did:key, did:web) or dereference a DID URL's "
                    "fragment (DID Resolution, HTTP(S) binding)",
                    "parameters": [
                        {
                            "name": "did",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        code: {
                            "description": description,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                        for code, description in (
                            ("200", "DID resolution result"),
                            ("400", "invalidDid"),
                            ("404", "notFound"),
                            ("501", "methodNotSupported"),
                        )
                    },
                }
            },
            "/health": {
                "get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "ok"}}}
            },
        },
        "components": {
            "schemas": {
                "Challenge": {
                    "type": "object",
                    "required": ["challenge", "domain", "expires"],
                    "properties": {
                        "challenge": {"type": "string"},
                        "domain": {"type": "string"},
                        "expires": {"type": "string", "format": "date-time"},
                    },
                },
                "VerifyResponse": {
                    "type": "object",
                    "required": ["verified", "checks", "warnings", "errors", "problemDetails"],
                    "properties": {
                        "verified": {"type": "boolean"},
                        "checks": {"type": "array", "items": {"type": "string"}},
                        "warnings": {"type": "array", "items": {"type": "string"}},
                        "errors": {"type": "array", "items": {"type": "string"}},
                        "problemDetails": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Problem"},
                        },
                        "results": {"type": "object"},
                    },
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                    },
                },
            },
            "responses": {
                "Verified": {
                    "description": "Verified",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/VerifyResponse"}
                        }
                    },
                },
                "NotVerified": {
                    "description": "Not verified; every failing check is named",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/VerifyResponse"}
                        }
                    },
                },
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            },
        },
    }
