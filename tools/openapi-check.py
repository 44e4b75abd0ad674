#!/usr/bin/env python3
"""Checks JSON bodies against the schemas of an OpenAPI 3.1 document.

Reads one JSON object on stdin: {"document": <the OpenAPI document>, "cases": [{"name", "path", "method",
"status" (an answer's status, or null for the request body), "body"}]}. Prints one JSON object: for each case its name,
whether the body fits its schema, and the first reason it does not. Used by the Silo's OpenApiAgreementTests, which
compare that verdict with what the server actually did; it needs python3-jsonschema (build/install-deps.sh).
"""
import json
import sys

from jsonschema import Draft202012Validator


def schema_of(document, case):
    operation = document["paths"][case["path"]][case["method"].lower()]
    if case["status"] is None:
        content = operation["requestBody"]["content"]
    else:
        content = operation["responses"][str(case["status"])]["content"]
    schema = content["application/json"]["schema"]
    # $refs point into the document's components: validate against a root that carries them.
    return {**schema, "components": document["components"]}


def main():
    request = json.load(sys.stdin)
    document = request["document"]
    verdicts = []
    for case in request["cases"]:
        try:
            validator = Draft202012Validator(schema_of(document, case), format_checker=Draft202012Validator.FORMAT_CHECKER)
            errors = sorted(validator.iter_errors(case["body"]), key=lambda e: list(e.path))
            verdicts.append({"name": case["name"], "fits": not errors,
                             "reason": None if not errors else f"{list(errors[0].path)}: {errors[0].message}"})
        except KeyError as missing:
            verdicts.append({"name": case["name"], "fits": False, "reason": f"the document has no schema for it ({missing})"})
    json.dump({"verdicts": verdicts}, sys.stdout)


if __name__ == "__main__":
    main()
