"""A small in-memory CM for the algorithm tests: what ``_jobs.watch.JobReader`` and ``find_jobs`` need, no HTTP."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

Job = Dict[str, Any]


def job(job_id: str, status: str = "completed", created: str = "", **fields: Any) -> Job:
    """A raw CM job; ``created`` orders jobs (newer sorts later as text)."""
    return dict(id=job_id, overall_status=status, createdAt=created or "2026-01-01T00:00:%s" % job_id, **fields)


class FakeCM:
    """Jobs per path, newest first, listed with CM's paging, an exact or lenient status filter and a target filter
    (``kms``: jobs that list one of the values; ``with_all``: and the jobs of everything, as a CM might)."""

    def __init__(self, jobs: List[Job], lenient: bool = False, path: str = "/jobs", with_all: bool = False) -> None:
        self.path = path
        self.jobs = sorted(jobs, key=lambda j: j["createdAt"], reverse=True)
        self.lenient = lenient
        self.with_all = with_all
        self.pages: List[Tuple[Dict[str, Any], int, int]] = []  # (query, skip, limit) of every listing request
        self.gets: List[str] = []
        self.listings: Dict[str, List[Dict[str, Any]]] = {}  # target listing path -> resources

    def _matches(self, item: Job, query: Dict[str, Any]) -> bool:
        wanted = query.get("kms")
        if wanted is not None:
            listed = item.get("kms") or []
            if not (set(wanted) & set(listed) or (self.with_all and not listed)):
                return False
        status = query.get("overall_status")
        if status is None:
            return True
        if self.lenient:
            return item["overall_status"].replace(" ", "_") == status.replace(" ", "_")
        return item["overall_status"] == status

    def list_page(self, path: str, query: Dict[str, Any], skip: int, limit: int) -> Tuple[List[Job], int]:
        self.pages.append((dict(query), skip, limit))
        matching = [dict(item) for item in self.jobs if self._matches(item, query)]
        return matching[skip : skip + limit], len(matching)

    def read_listing(self, path: str, query: Dict[str, Any], skip: int = 0, limit: Optional[int] = None) -> Tuple[List[Job], int]:
        if path in self.listings or "synchroniz" not in path:  # a target listing, not a listing of jobs
            resources = self.listings.get(path, [])
            return list(resources), len(resources)
        found, total = self.list_page(path, query, skip, limit if limit is not None else 10**6)
        return found, total

    def get_job(self, path: str) -> Optional[Job]:
        job_id = path.rsplit("/", 1)[1]
        self.gets.append(job_id)
        return next((dict(item) for item in self.jobs if item["id"] == job_id), None)

    def set_status(self, job_id: str, status: str) -> None:
        next(item for item in self.jobs if item["id"] == job_id)["overall_status"] = status

    def delete(self, job_id: str) -> None:
        self.jobs = [item for item in self.jobs if item["id"] != job_id]
