"""Lifecycle and notifications: initialize, folders, configuration, sync, watched files."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types

from repodoc_ls.config import FEATURES, SettingsError, parse_features
from repodoc_ls.server.folders import Folder, link_kinds, normalize_options
from repodoc_ls.server.server import RepodocServer

log = logging.getLogger(__name__)

WATCHER_ID = "repodoc-watched-files"

#: The LSP method of each feature a user can turn off (config.FEATURES).
FEATURE_METHODS = {
    "hover": types.TEXT_DOCUMENT_HOVER,
    "definition": types.TEXT_DOCUMENT_DEFINITION,
    "references": types.TEXT_DOCUMENT_REFERENCES,
    "documentSymbol": types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
    "workspaceSymbol": types.WORKSPACE_SYMBOL,
    "codeLens": types.TEXT_DOCUMENT_CODE_LENS,
}
assert set(FEATURE_METHODS) == set(FEATURES)


def register(ls: RepodocServer) -> None:
    @ls.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        ls.loop = asyncio.get_running_loop()
        ls.link_kinds = link_kinds(params.initialization_options, ls.pending_warnings.append)
        ls.overrides = normalize_options(params.initialization_options)
        _drop_disabled_features(ls)
        folders = params.workspace_folders or []
        if folders:
            for f in folders:
                ls.add_folder(f.uri, f.name)
        elif params.root_uri:
            ls.add_folder(params.root_uri, "")
        elif params.root_path:
            ls.add_folder(Path(params.root_path).resolve().as_uri(), "")

    @ls.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        for message in ls.pending_warnings:
            ls.warn(message)
        ls.pending_warnings.clear()
        _note_templates(ls, ls.folders)
        for folder in ls.folders:
            ls.start_build(folder)
        ls.jedi.start()  # jedi's imports and typeshed load in the worker before the first hover
        await _register_watchers(ls)

    @ls.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        for folder in ls.folders:
            folder.generation += 1  # a build still running is dropped when it ends
        ls.docs.closing = True
        await ls.docs.write_stores()  # a large buffer's facts waiting for a pause in its edits
        for pool in (ls.query_pool, ls.update_pool, ls.build_pool):
            pool.shutdown(wait=False, cancel_futures=True)
        ls.extraction.close()
        await ls.jedi.stop()

    @ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(params: types.DidChangeWorkspaceFoldersParams) -> None:
        for removed in params.event.removed or []:
            folder = ls.folders.remove(removed.uri)
            if folder is not None:
                folder.generation += 1
                for key in [k for k in ls.docs.open if k[0] == folder.uri]:
                    del ls.docs.open[key]
        for added in params.event.added or []:
            if added.uri not in ls.folders.by_uri:
                folder = ls.add_folder(added.uri, added.name)
                if folder is not None:
                    _note_templates(ls, [folder])
                    # Documents opened before their folder was added get tracked now.
                    for doc_uri in ls.buffers:
                        try:
                            owner, rel = ls.folders.locate(doc_uri)
                        except Exception:
                            continue
                        if owner is folder:
                            ls.docs.open[(folder.uri, rel)] = doc_uri
                    ls.start_build(folder)
        for message in ls.pending_warnings:
            ls.warn(message)
        ls.pending_warnings.clear()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        if isinstance(raw, dict) and isinstance(raw.get("repodoc"), dict):
            ls.apply_settings(normalize_options(raw["repodoc"]))
            _note_templates(ls, ls.folders)
            return
        # Pull model: the notification carries nothing useful; ask for the section.
        caps = ls.client_capabilities.workspace
        if caps is not None and caps.configuration:
            try:
                result = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="repodoc")])
                )
            except Exception as exc:  # refused, or no answer within the protocol's timeout
                ls.log_message(
                    f"repodoc: reading the repodoc configuration failed: {exc}", types.MessageType.Warning
                )
                return
            if result and isinstance(result[0], dict):
                ls.apply_settings(normalize_options(result[0]))
                _note_templates(ls, ls.folders)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        ls.docs.opened(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        ls.docs.changed(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        ls.docs.saved(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        ls.docs.closed(params.text_document.uri)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched_files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        by_folder: defaultdict[Folder, set[str]] = defaultdict(set)
        for change in params.changes:
            try:
                folder, rel = ls.folders.locate(change.uri)
            except Exception:
                continue  # outside every folder: not ours
            if not rel or (ls.docs.is_open(folder, rel) and change.type != types.FileChangeType.Deleted):
                continue  # an open buffer is the truth for its file until it is closed
            by_folder[folder].add(rel)
        for folder, rels in by_folder.items():
            if folder.index is not None:
                changed = await ls.run(_refresh, ls, folder, sorted(rels), pool=ls.update_pool)
                log.info("refreshed %s: %s", folder.root, sorted(changed))


def _drop_disabled_features(ls: RepodocServer) -> None:
    """Unregister the features the user's initializationOptions turn off, before pygls
    computes the capabilities from the registered ones: the client then never asks, and a
    request sent anyway gets MethodNotFound. (A folder's pyproject.toml, or a later settings
    change, cannot take back a capability: the handlers answer null or empty there.)"""
    raw = ls.overrides.get("features")
    if raw is None:
        return
    try:
        choices = parse_features(raw, "initializationOptions")
    except SettingsError:
        return  # reported once per folder, with every other bad setting (settings_for)
    for name, enabled in choices.items():
        if not enabled:
            ls.protocol.fm.features.pop(FEATURE_METHODS[name], None)


def _note_templates(ls: RepodocServer, folders: Iterable[Folder]) -> None:
    """Say in the log when a folder's pyproject names templates that are not used: a
    repository's templates render only when the user trusts them (initialization option
    or setting `trustTemplates`, which the workspace cannot give)."""
    for folder in folders:
        if not folder.settings.templates:
            continue  # (and jinja2 stays out of the start-up)
        from repodoc_ls.docs.render import template_notice

        notice = template_notice(folder.settings)
        if notice:
            ls.log_message(f"repodoc: {folder.name}: {notice}", types.MessageType.Warning)


def _refresh(ls: RepodocServer, folder: Folder, rels: list[str]) -> set[str]:
    """index.refresh, plus deleted folders: a folder's deletion comes as one event."""
    index = folder.index
    assert index is not None
    with index.lock:
        expanded = set()
        for rel in rels:
            if rel in index.facts or (folder.root / rel).is_file():
                expanded.add(rel)
            else:
                prefix = rel.rstrip("/") + "/"
                expanded.update(p for p in index.facts if p.startswith(prefix))
                if (folder.root / rel).is_dir():  # a folder created or moved in: scan it
                    expanded.update(_files_under(folder.root, rel))
        changed = index.refresh(expanded)
    ls.rewarm(index)
    for rel in changed:
        ls.forget_lines(folder, rel)
    return changed


def _files_under(root: Path, rel: str) -> set[str]:
    out: set[str] = set()
    for path in (root / rel).rglob("*"):
        if path.is_file() and not path.is_symlink():
            out.add(path.relative_to(root).as_posix())
    return out


async def _register_watchers(ls: RepodocServer) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern="**/*")]
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCHER_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )
    except Exception as exc:
        ls.log_message(f"repodoc: could not register file watchers: {exc}", types.MessageType.Warning)
