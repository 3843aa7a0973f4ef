"""Type stubs of the extension module (crates/accord-py)."""

from typing import Any

__version__: str

class AccordError(Exception):
    """An error of accord: its message says what went wrong and where."""

class InputError(AccordError):
    """Bad input: ``problems`` lists every problem found."""

    problems: list[dict[str, Any]]

class LoadedCase:
    @staticmethod
    def read(path: str, parties: list[str]) -> LoadedCase: ...
    @staticmethod
    def parse(text: str, source: str, format: str, parties: list[str]) -> LoadedCase: ...
    def write(self, format: str) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def analysed(self) -> list[str]: ...
    def analysis_json(
        self,
        epsilon: float | None = None,
        max_packages: int | None = None,
        exact: bool = False,
        search_nodes: int | None = None,
    ) -> str: ...
    def evaluate_json(self, package: str) -> str: ...
    def write_report(self, path: str, epsilon: float | None = None, exact: bool = False) -> None: ...
