"""备份与恢复: back up now, restore from a backup (after a safety backup), and the backups folder."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from core import backup
from core.access import Permission
from core.database import describe_url
from core.paths import backups_dir
from gui.context import AppContext
from gui.operations import run_op
from gui.table_models import RowsModel, TableColumn, human_size, read_only_rows

SUFFIX = ".wjbak"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    modified: datetime

    @property
    def kind(self) -> str:
        name = self.path.name
        if name.startswith("恢复前备份"):
            return "恢复前自动备份"
        if name.startswith("升级前备份"):
            return "升级前自动备份"
        return "手动备份"


def list_backups(folder: Path | None = None) -> list[BackupFile]:
    folder = folder or backups_dir()
    if not folder.is_dir():
        return []
    files = []
    for p in folder.glob(f"*{SUFFIX}"):
        try:
            st = p.stat()
        except OSError:
            continue
        files.append(BackupFile(p, st.st_size, datetime.fromtimestamp(st.st_mtime)))
    return sorted(files, key=lambda f: f.modified, reverse=True)


def default_backup_name(now: datetime | None = None) -> str:
    return f"卫健台账备份-{(now or datetime.now()):%Y%m%d-%H%M}{SUFFIX}"


class BackupPage(QWidget):
    help_topic = "admin"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_result: dict | None = None
        may = ctx.actor.can(Permission.BACKUP)

        intro = QLabel(f"当前数据库：{describe_url(ctx.db.url)}\n"
                       "备份文件包含全部数据，可在另一台电脑（SQLite 或 PostgreSQL）上恢复。"
                       "建议每周备份一次，并把备份文件另存到 U 盘等其他地方。")
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("立即备份(&B)…")
        self.backup_button.clicked.connect(self.backup_dialog)
        self.restore_button = QPushButton("从备份恢复(&R)…")
        self.restore_button.clicked.connect(self.restore_dialog)
        self.open_folder_button = QPushButton("打开备份文件夹")
        self.open_folder_button.clicked.connect(self.open_folder)
        for b in (self.backup_button, self.restore_button):
            b.setEnabled(may)
            if not may:
                b.setToolTip("当前用户无权备份和恢复（需要管理员）。")
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)

        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = RowsModel([
            TableColumn("文件名", lambda f: f.path.name, tooltip=lambda f: str(f.path)),
            TableColumn("类型", lambda f: f.kind),
            TableColumn("大小", lambda f: human_size(f.size), align_right=True),
            TableColumn("时间", lambda f: f"{f.modified:%Y-%m-%d %H:%M}"),
        ], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        read_only_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 130), (2, 100), (3, 150)):
            header.resizeSection(col, width)
        self.table.activated.connect(lambda _i: self.restore_selected())  # Enter / double-click
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        ctx.changes.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in ("all", "backup"):
            self.refresh()

    def refresh(self) -> None:
        folder = backups_dir()
        files = list_backups(folder)
        self.folder_label.setText(f"备份文件夹：{folder}（{len(files)} 个备份）")
        self.model.set_rows(files)

    def selected_backup(self) -> BackupFile | None:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def open_folder(self) -> None:
        folder = backups_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- backup ----------------------------------------------------------------------------
    def backup_dialog(self) -> None:
        folder = backups_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(self, "备份到", str(folder / default_backup_name()),
                                              f"卫健台账备份 (*{SUFFIX})")
        if path:
            if not path.endswith(SUFFIX):
                path += SUFFIX
            self.backup_to(Path(path))

    def backup_to(self, path: Path):
        ctx = self.ctx

        def done(manifest: dict) -> None:
            rows = sum(t["rows"] for t in manifest["tables"].values())
            self.last_result = manifest
            self.status.setText(f"已备份到 {path}（{len(manifest['tables'])} 张表，{rows} 行）。")
            ctx.changes.changed.emit("backup")
        return run_op(self, lambda _p: backup.backup(ctx.db, ctx.actor, path), on_done=done,
                      label="正在备份……")

    # -- restore ---------------------------------------------------------------------------
    def restore_dialog(self) -> None:
        chosen = self.selected_backup()
        start = str(chosen.path) if chosen else str(backups_dir())
        path, _ = QFileDialog.getOpenFileName(self, "选择要恢复的备份", start,
                                              f"卫健台账备份 (*{SUFFIX});;所有文件 (*)")
        if path and self.confirm_restore(Path(path)):
            self.restore_from(Path(path))

    def restore_selected(self) -> None:
        chosen = self.selected_backup()
        if chosen is not None and self.backup_button.isEnabled() and self.confirm_restore(chosen.path):
            self.restore_from(chosen.path)

    def confirm_restore(self, path: Path) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "从备份恢复",
                          f"将用备份“{path.name}”替换当前数据库中的全部数据。\n\n"
                          "恢复前，程序会先把当前数据自动另存为一份安全备份（恢复前备份-日期时间.wjbak，"
                          f"在 {backups_dir()}），需要时可以用它恢复回来。\n\n确定要恢复吗？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("恢复")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def restore_from(self, path: Path):
        ctx = self.ctx

        def done(result: dict) -> None:
            self.last_result = result
            safety = result.get("safety_backup")
            self.status.setText(f"已从 {path.name} 恢复。" + (f"原来的数据已另存为 {safety}。" if safety else ""))
            ctx.changes.changed.emit("all")
        return run_op(self, lambda _p: backup.restore(ctx.db, ctx.actor, path), on_done=done,
                      label="正在恢复，请勿关闭程序……")
