"""The floor for a listing: a bare requests loop, one login, then every page over one kept-alive connection.

    CM_ADDRESS=... CM_USERNAME=... CM_PASSWORD=... CM_CA_CERT=... python tests/perf/bare_listing.py <path> <page size>

Prints the number of jobs fetched. No Ansible, no retries, no checks: what the collection's
listing costs beyond this is what it adds.
"""

import os
import sys

import requests


def main(path: str, page_size: int) -> int:
    base = "https://" + os.environ["CM_ADDRESS"]
    verify = os.environ["CM_CA_CERT"]
    session = requests.Session()
    login = {"grant_type": "password", "username": os.environ["CM_USERNAME"], "password": os.environ["CM_PASSWORD"]}
    jwt = session.post(base + "/api/v1/auth/tokens", json=login, verify=verify, timeout=30).json()["jwt"]
    session.headers["Authorization"] = "Bearer " + jwt
    jobs, total = [], None
    while total is None or len(jobs) < total:
        answer = session.get(base + path, params={"skip": len(jobs), "limit": page_size}, verify=verify, timeout=30).json()
        if not answer["resources"]:
            break
        jobs.extend(answer["resources"])
        total = answer["total"]
    print(len(jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
