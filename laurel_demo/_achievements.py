"""What the demo's district issues, and the passphrase of every wallet the demo makes."""

from __future__ import annotations

__all__ = ["ACHIEVEMENT", "DEMO_PASSPHRASE", "RESTORATIVE"]

DEMO_PASSPHRASE = "demo passphrase, not for real wallets"  # noqa: S105 (a demo in a temp dir)

ACHIEVEMENT = {
    "name": "Formative Assessment in Practice",
    "description": "Designs and uses formative assessment to adjust instruction.",
    "criteria": {
        "narrative": "Three annotated lesson plans with student work samples, "
        "scored on the district's formative assessment rubric."
    },
    "resultDescription": [
        {
            "id": "urn:uuid:2b1f0c52-2f43-4a49-9d4e-8f9f1d0c7a10",
            "type": ["ResultDescription"],
            "name": "District formative assessment rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a60",
                    "type": ["RubricCriterionLevel"],
                    "name": "developing",
                },
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a61",
                    "type": ["RubricCriterionLevel"],
                    "name": "proficient",
                },
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a62",
                    "type": ["RubricCriterionLevel"],
                    "name": "distinguished",
                },
            ],
        }
    ],
}


RESTORATIVE = {
    "name": "Restorative Practices",
    "description": "Leads restorative circles with students and families.",
    "criteria": {
        "narrative": "Facilitated six restorative circles, with reflections reviewed by a coach."
    },
    "alignment": [
        {
            "type": ["Alignment"],
            "targetName": "CASEL: Relationship skills",
            "targetUrl": "https://casel.org/fundamentals-of-sel/",
            "targetFramework": "CASEL",
            "targetCode": "RS",
        }
    ],
}
