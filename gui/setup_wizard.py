"""First start: the set-up wizard (建立本县数据库, or 演示数据).

Pages: 1 choose real or demo; 2 the county (省 → 市 → 县, or the 6-digit code) and optionally a
township installation; 3 the first administrator; 4 where the database lives, and a summary. The
demo route goes from page 1 to a page that names the demo accounts. Finishing runs
``core.installation.initialise`` and ``core.users.create_user`` (or ``core.demo.create_demo``) in the
background and saves the database location for the next start.

``SetupWizard(admin_only=True, database=db)`` shows the administrator page alone, for a database
that is set up but has no user yet.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QRegularExpression, QSize, Qt
from PySide6.QtGui import QIcon, QRegularExpressionValidator
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFileDialog, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget, QWizard, QWizardPage)

from core import users
from core.access import Actor, Role
from core.database import Database, describe_url
from core.demo import DEMO_COUNTY_NAME, DEMO_PASSWORD, DEMO_RECIPIENTS, DEMO_USERS, create_demo
from core.divisions import catalogue
from core.errors import DataError, UserFacingError
from core.installation import initialise, is_initialised
from core.paths import default_database_path, demo_database_path, load_local_settings, save_local_settings
from core.resources import resource_path
from gui.operations import run_op, show_error

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b7f3b;"
HINT_STYLE = "color: #555;"

MODE_PAGE, COUNTY_PAGE, ACCOUNT_PAGE, LOCATION_PAGE, DEMO_PAGE = range(5)


def _message_label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    return label


def _show(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    label.setStyleSheet(style)
    label.setText(text)


def username_problem(username: str) -> str | None:
    """The core's username rule (one place: core.users), as a sentence next to the field."""
    if not username:
        return "请输入用户名。"
    try:
        users.validate_username(username)
    except DataError as e:
        return e.message
    return None


def save_database_location(location: str) -> None:
    values = load_local_settings()
    values["database"] = location
    save_local_settings(values)


# -- page 1 ----------------------------------------------------------------------------------------

class ModePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("欢迎使用卫健台账")
        self.setSubTitle("第一次启动需要建立数据库。请选择：")
        self.real_radio = QRadioButton("建立本县数据库(&R)")
        self.demo_radio = QRadioButton("使用演示数据体验（演示县，数据为虚构）(&D)")
        self.real_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.real_radio)
        group.addButton(self.demo_radio)
        real_text = QLabel("选择本县（区），自动填入全国统计用区划代码中的乡镇（街道），再设置管理员账号。"
                           "适合正式使用。")
        demo_text = QLabel(f"打开一个虚构的“{DEMO_COUNTY_NAME}”，带有乡镇、村和三个演示账号，可随意试用，"
                           "不影响正式数据。以后可以在“文件 → 切换数据库”中建立本县数据库。")
        for label in (real_text, demo_text):
            label.setWordWrap(True)
            label.setStyleSheet(HINT_STYLE)
            label.setContentsMargins(24, 0, 0, 8)
        layout = QVBoxLayout(self)
        layout.addWidget(self.real_radio)
        layout.addWidget(real_text)
        layout.addWidget(self.demo_radio)
        layout.addWidget(demo_text)
        layout.addStretch(1)

    def nextId(self) -> int:
        return DEMO_PAGE if self.demo_radio.isChecked() else COUNTY_PAGE


# -- page 2 ----------------------------------------------------------------------------------------

class CountyPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("选择本县（区）")
        self.setSubTitle("在下拉框中依次选择省、市、县，或直接输入 6 位县（区）代码。")
        self._loaded = False
        self._syncing = False
        self.cat = None

        self.province_combo = QComboBox()
        self.city_combo = QComboBox()
        self.county_combo = QComboBox()
        for combo in (self.province_combo, self.city_combo, self.county_combo):
            combo.setMinimumWidth(160)
            combo.setMaxVisibleItems(20)
        self.code_edit = QLineEdit()
        self.code_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,6}"), self))
        self.code_edit.setPlaceholderText("例如 220322")
        self.code_edit.setMaximumWidth(140)
        self.code_message = _message_label()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("区划代码中没有此代码时填写，例如 某某县")
        self.name_label = QLabel("县（区）名称(&M)：")
        self.name_label.setBuddy(self.name_edit)

        labels = [QLabel("省(&P)："), QLabel("市(&C)："), QLabel("县(&X)："), QLabel("县（区）代码(&D)：")]
        for label, buddy in zip(labels, (self.province_combo, self.city_combo, self.county_combo, self.code_edit)):
            label.setBuddy(buddy)
        grid = QGridLayout()
        grid.addWidget(labels[0], 0, 0)
        grid.addWidget(self.province_combo, 0, 1)
        grid.addWidget(labels[1], 0, 2)
        grid.addWidget(self.city_combo, 0, 3)
        grid.addWidget(labels[2], 0, 4)
        grid.addWidget(self.county_combo, 0, 5)
        grid.addWidget(labels[3], 1, 0)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit)
        code_row.addWidget(self.code_message, 1)
        grid.addLayout(code_row, 1, 1, 1, 5)
        grid.addWidget(self.name_label, 2, 0)
        grid.addWidget(self.name_edit, 2, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnStretch(5, 1)

        self.townships_label = QLabel("")
        self.townships_label.setWordWrap(True)
        self.townships_list = QListWidget()
        self.townships_list.setFlow(QListWidget.Flow.TopToBottom)   # fill a column, then the next
        self.townships_list.setWrapping(True)
        self.townships_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.townships_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.townships_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)

        self.township_check = QCheckBox("乡镇安装（本程序只用于一个乡镇，向县里报送数据）(&T)")
        self.township_combo = QComboBox()
        self.township_combo.setEnabled(False)
        self.township_combo.setMinimumWidth(260)
        self.township_message = _message_label()
        town_row = QHBoxLayout()
        town_row.addWidget(self.township_check)
        town_row.addWidget(self.township_combo)
        town_row.addWidget(self.township_message, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.townships_label)
        layout.addWidget(self.townships_list, 1)
        layout.addLayout(town_row)

        self.province_combo.currentIndexChanged.connect(self._province_chosen)
        self.city_combo.currentIndexChanged.connect(self._city_chosen)
        self.county_combo.currentIndexChanged.connect(self._county_chosen)
        self.code_edit.textChanged.connect(self._code_typed)
        self.township_check.toggled.connect(self._township_toggled)
        self.name_edit.textChanged.connect(lambda: self.code_message.setText(""))

    # filling ---------------------------------------------------------------------------------
    def initializePage(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self.cat = catalogue()
        self._syncing = True
        self.province_combo.addItem("（请选择）", "")
        for p in self.cat.provinces:
            self.province_combo.addItem(p.name, p.code)
        self._syncing = False
        self._show_county(None)
        self.code_edit.setFocus()

    def _fill(self, combo: QComboBox, items, placeholder: str = "（请选择）") -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(placeholder, "")
        for d in items:
            combo.addItem(d.name, d.code)
        combo.blockSignals(False)

    def _province_chosen(self) -> None:
        code = self.province_combo.currentData() or ""
        self._fill(self.city_combo, self.cat.cities_of(code) if code else [])
        self._fill(self.county_combo, [])
        if not self._syncing:
            self._set_code("")

    def _city_chosen(self) -> None:
        code = self.city_combo.currentData() or ""
        self._fill(self.county_combo, self.cat.counties_of(code) if code else [])
        if not self._syncing:
            self._set_code("")

    def _county_chosen(self) -> None:
        if not self._syncing:
            self._set_code(self.county_combo.currentData() or "")

    def _set_code(self, code: str) -> None:
        self.code_edit.blockSignals(True)
        self.code_edit.setText(code)
        self.code_edit.blockSignals(False)
        self._code_typed()

    def _select(self, combo: QComboBox, code: str) -> None:
        index = combo.findData(code)
        combo.setCurrentIndex(max(index, 0))

    def _code_typed(self) -> None:
        """The combos follow a typed code; the township list follows the county."""
        code = self.code_edit.text().strip()
        self.code_message.setText("")
        info = self.cat.county(code) if self.cat and len(code) == 6 else None
        if info is not None and not self._syncing:
            self._syncing = True
            try:
                self._select(self.province_combo, code[:2])
                self._select(self.city_combo, next(c.parent for c in self.cat.counties if c.code == code))
                self._select(self.county_combo, code)
            finally:
                self._syncing = False
        self._show_county(code)

    def _show_county(self, code: str | None) -> None:
        info = self.cat.county(code) if self.cat and code and len(code) == 6 else None
        unknown = bool(code and len(code) == 6 and info is None and self.cat and self.cat.province_exists(code)
                       and not code.endswith("00"))
        self.name_label.setVisible(unknown)
        self.name_edit.setVisible(unknown)
        self.townships_list.clear()
        self.township_combo.clear()
        if info is not None:
            towns = self.cat.townships_of(code)
            self.townships_label.setText(f"<b>{info.full_name}</b>（{code}）：将填入 {len(towns)} 个乡镇（街道），"
                                         f"代码取自 {self.cat.edition} 年版统计用区划代码。村（居）委会以后可在"
                                         "“系统管理 → 组织机构”中导入。")
            texts = [f"{t.code}  {t.name}" for t in towns]
            self.townships_list.addItems(texts)
            for t in towns:
                self.township_combo.addItem(f"{t.name}（{t.code}）", t.code)
            fm = self.townships_list.fontMetrics()
            widest = max((fm.horizontalAdvance(x) for x in texts), default=100)
            self.townships_list.setGridSize(QSize(widest + 28, fm.height() + 6))
            _show(self.code_message, f"✓ {info.full_name}", OK_STYLE)
        elif unknown:
            self.townships_label.setText(f"{self.cat.edition} 年版区划代码中没有 {code}。如确属新设的县（区），"
                                         "请填写名称；乡镇（街道）需要以后在“系统管理 → 组织机构”中导入。")
        else:
            self.townships_label.setText("选择县（区）后，这里列出将自动填入的乡镇（街道）。")
        self.township_check.setEnabled(self.township_combo.count() > 0)
        if self.township_combo.count() == 0:
            self.township_check.setChecked(False)

    def _township_toggled(self, on: bool) -> None:
        self.township_combo.setEnabled(on)
        self.township_message.setText("")

    # results ---------------------------------------------------------------------------------
    def county_code(self) -> str:
        return self.code_edit.text().strip()

    def county_name(self) -> str:
        info = self.cat.county(self.county_code()) if self.cat else None
        return info.name if info else self.name_edit.text().strip()

    def county_full_name(self) -> str:
        info = self.cat.county(self.county_code()) if self.cat else None
        return info.full_name if info else self.name_edit.text().strip()

    def township_count(self) -> int:
        return self.townships_list.count()

    def township_code(self) -> str | None:
        return self.township_combo.currentData() if self.township_check.isChecked() else None

    def township_label(self) -> str:
        return self.township_combo.currentText() if self.township_check.isChecked() else ""

    def validatePage(self) -> bool:
        code = self.county_code()
        if not re.fullmatch(r"\d{6}", code):
            _show(self.code_message, "请选择县（区），或输入 6 位县（区）代码，例如 220322。")
            self.code_edit.setFocus()
            return False
        if code.endswith("00"):
            _show(self.code_message, f"“{code}”是省或市的代码，不是县（区）代码。")
            self.code_edit.setFocus()
            return False
        if self.cat.county(code) is None:
            if not self.cat.province_exists(code):
                _show(self.code_message, f"代码前两位 {code[:2]} 不是任何省份的代码，请检查。")
                self.code_edit.setFocus()
                return False
            if not self.name_edit.text().strip():
                _show(self.code_message, "区划代码中没有此代码：请在下面填写县（区）名称。")
                self.name_edit.setFocus()
                return False
        if self.township_check.isChecked() and not self.township_code():
            _show(self.township_message, "请选择本乡镇（街道）。")
            self.township_combo.setFocus()
            return False
        return True


# -- page 3 ----------------------------------------------------------------------------------------

class AccountPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("管理员账号")
        self.setSubTitle("设置第一个管理员。管理员可以添加其他用户（录入员、审核员）、维护组织机构和备份数据。")
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText("例如 admin 或 zhangsan")
        self.username_edit.setMaxLength(32)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如 张三")
        self.password_edit = QLineEdit()
        self.again_edit = QLineEdit()
        for e in (self.password_edit, self.again_edit):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.username_message = _message_label()
        self.name_message = _message_label()
        self.password_message = QLabel(f"至少 {users.MIN_PASSWORD} 位，同时包含字母和数字。")
        self.password_message.setStyleSheet(HINT_STYLE)
        self.password_message.setWordWrap(True)
        self.again_message = _message_label()

        # label | field | the message about that field, on the same row
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(14)
        rows = [("用户名(&U)：", self.username_edit, self.username_message),
                ("姓名(&M)：", self.name_edit, self.name_message),
                ("密码(&W)：", self.password_edit, self.password_message),
                ("再次输入密码(&A)：", self.again_edit, self.again_message)]
        for row, (text, edit, message) in enumerate(rows):
            label = QLabel(text)
            label.setBuddy(edit)
            edit.setMinimumWidth(260)
            edit.setMaximumWidth(340)
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(message, row, 2)
        grid.setColumnStretch(2, 1)
        note = QLabel("用户名用于登录，可以用字母、数字或汉字；姓名显示在界面、报表和审计日志中。"
                      "请牢记密码：忘记时只能由其他管理员重设。")
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addWidget(note)
        layout.addStretch(1)
        self.password_edit.textChanged.connect(self._check_password)
        self.again_edit.textChanged.connect(self._check_again)
        self.username_edit.textChanged.connect(lambda: self.username_message.setText(""))
        self.name_edit.textChanged.connect(lambda: self.name_message.setText(""))

    def initializePage(self) -> None:
        self.username_edit.setFocus()

    def _check_password(self) -> None:
        password = self.password_edit.text()
        if not password:
            _show(self.password_message, f"至少 {users.MIN_PASSWORD} 位，同时包含字母和数字。", HINT_STYLE)
        else:
            try:
                users.check_password_rules(password)
            except DataError as e:
                _show(self.password_message, e.message)
            else:
                _show(self.password_message, "✓ 密码符合要求", OK_STYLE)
        if self.again_edit.text():
            self._check_again()

    def _check_again(self) -> None:
        again = self.again_edit.text()
        if not again:
            self.again_message.setText("")
        elif again != self.password_edit.text():
            _show(self.again_message, "两次输入的密码不一致。")
        else:
            _show(self.again_message, "✓ 一致", OK_STYLE)

    def username(self) -> str:
        return self.username_edit.text().strip()

    def display_name(self) -> str:
        return self.name_edit.text().strip()

    def password(self) -> str:
        return self.password_edit.text()

    def validatePage(self) -> bool:
        ok = True
        focus = None
        problem = username_problem(self.username())
        if problem:
            _show(self.username_message, problem)
            ok, focus = False, focus or self.username_edit
        if not self.display_name():
            _show(self.name_message, "请输入管理员的姓名（显示在界面和审计日志中）。")
            ok, focus = False, focus or self.name_edit
        try:
            users.check_password_rules(self.password())
        except DataError as e:
            _show(self.password_message, e.message)
            ok, focus = False, focus or self.password_edit
        if self.again_edit.text() != self.password():
            _show(self.again_message, "两次输入的密码不一致。")
            ok, focus = False, focus or self.again_edit
        if focus is not None:
            focus.setFocus()
        return ok


# -- page 4 ----------------------------------------------------------------------------------------

class LocationPage(QWizardPage):
    def __init__(self, default_location: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("数据库位置")
        self.setSubTitle("一般保持默认即可：数据保存在本机的数据文件夹中。")
        self.file_radio = QRadioButton("本机数据库文件（推荐）(&L)")
        self.server_radio = QRadioButton("数据库服务器 PostgreSQL（局域网内多人同时使用；高级）(&S)")
        group = QButtonGroup(self)
        group.addButton(self.file_radio)
        group.addButton(self.server_radio)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton("浏览(&O)…")
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("postgresql+psycopg://用户名:密码@服务器地址:5432/数据库名")
        self.message = _message_label()
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        if "://" in default_location and not default_location.startswith("sqlite"):
            self.server_radio.setChecked(True)
            self.url_edit.setText(default_location)
            self.path_edit.setText(str(default_database_path()))
        else:
            self.file_radio.setChecked(True)
            self.path_edit.setText(default_location.removeprefix("sqlite:///"))

        path_row = QHBoxLayout()
        path_row.setContentsMargins(24, 0, 0, 0)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        url_row = QHBoxLayout()
        url_row.setContentsMargins(24, 0, 0, 0)
        url_row.addWidget(self.url_edit, 1)

        summary_box = QGroupBox("将要建立")
        QVBoxLayout(summary_box).addWidget(self.summary)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_radio)
        layout.addLayout(path_row)
        layout.addWidget(self.server_radio)
        layout.addLayout(url_row)
        layout.addWidget(self.message)
        layout.addWidget(summary_box)
        layout.addStretch(1)

        self.setTabOrder(self.file_radio, self.path_edit)
        self.setTabOrder(self.path_edit, self.browse_button)
        self.setTabOrder(self.browse_button, self.server_radio)
        self.setTabOrder(self.server_radio, self.url_edit)
        self.browse_button.clicked.connect(self._browse)
        self.file_radio.toggled.connect(self._mode_changed)
        self._base_rows: list[tuple[str, str]] = []
        self.path_edit.textChanged.connect(self._location_edited)
        self.url_edit.textChanged.connect(self._location_edited)
        self._mode_changed()

    def _mode_changed(self) -> None:
        local = self.file_radio.isChecked()
        self.path_edit.setEnabled(local)
        self.browse_button.setEnabled(local)
        self.url_edit.setEnabled(not local)
        self._location_edited()

    def _location_edited(self) -> None:
        self.message.setText("")
        self._update_summary()

    def _update_summary(self) -> None:
        location = self.location()
        if self.server_radio.isChecked():
            try:
                where = describe_url(location) if "://" in location else location
            except Exception:  # noqa: BLE001 - a half-typed URL: show nothing secret, just the server part
                where = location.split("@")[-1]
            where = f"数据库服务器 {where}"
        else:
            where = location
        rows = self._base_rows + [("数据库", html.escape(where or "（未填写）"))]
        self.summary.setText("<table cellspacing='4'>" + "".join(
            f"<tr><td style='color:#555;padding-right:12px'>{k}</td><td>{v}</td></tr>" for k, v in rows) + "</table>")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "数据库文件保存位置", self.path_edit.text(),
                                              "卫健台账数据库 (*.sqlite);;所有文件 (*)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.path_edit.setText(path)

    def location(self) -> str:
        if self.file_radio.isChecked():
            return str(Path(self.path_edit.text().strip()).expanduser())
        return self.url_edit.text().strip()

    def initializePage(self) -> None:
        wizard: SetupWizard = self.wizard()  # type: ignore[assignment]
        county, account = wizard.county_page, wizard.account_page
        rows = [("县（区）", f"{county.county_full_name()}（{county.county_code()}）"),
                ("乡镇（街道）", f"{county.township_count()} 个（取自区划代码）" if county.township_count()
                 else "不自动填入，以后导入")]
        if county.township_code():
            rows.append(("乡镇安装", county.township_label()))
        rows.append(("管理员", f"{account.display_name()}（用户名 {account.username()}）"))
        self._base_rows = [(k, html.escape(v)) for k, v in rows]
        self._update_summary()

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        location = self.location()
        if self.server_radio.isChecked():
            if not re.match(r"^postgresql(\+\w+)?://\S+", location):
                _show(self.message, "请填写 PostgreSQL 连接地址，格式如 postgresql+psycopg://用户名:密码@服务器地址:5432/数据库名。")
                self.url_edit.setFocus()
                return False
            return True
        if not self.path_edit.text().strip():
            _show(self.message, "请填写数据库文件的位置。")
            self.path_edit.setFocus()
            return False
        path = Path(location)
        if path.is_dir():
            _show(self.message, f"{path} 是一个文件夹，请在后面加上文件名，例如 weijian.sqlite。")
            self.path_edit.setFocus()
            return False
        problem = existing_database_problem(path)
        if problem:
            _show(self.message, problem)
            self.path_edit.setFocus()
            return False
        return True


def existing_database_problem(path: Path) -> str | None:
    """A file already at ``path`` may be used only if it is an empty (not yet set up) database."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        db = Database.connect(path)
        try:
            if is_initialised(db):
                return (f"{path} 已经是一个建好的卫健台账数据库。请换一个文件名；"
                        "要使用它，请取消向导，改用“打开数据库文件”。")
        finally:
            db.dispose()
    except UserFacingError as e:
        return f"此位置已有文件，但不能用作数据库：{e.message}"
    return None


# -- demo ------------------------------------------------------------------------------------------

class DemoPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("演示数据")
        self.setSubTitle(f"将建立虚构的“{DEMO_COUNTY_NAME}”，可随意试用。")
        accounts = "".join(f"<tr><td style='padding-right:16px'><b>{u}</b></td><td>{name}（{role.label}）</td></tr>"
                           for u, name, role in DEMO_USERS)
        text = QLabel(
            f"<p>演示数据库保存在：<br><code>{demo_database_path()}</code></p>"
            f"<p>县、乡镇、村和账号都是生成的，与任何真实的地方和人无关；窗口标题和状态栏会标明“演示数据”。</p>"
            f"<p>登录时可用以下账号，密码均为 <b>{DEMO_PASSWORD}</b>：</p><table>{accounts}</table>"
            "<p>以后要建立本县的正式数据库，请在“文件 → 切换数据库”中选择“新建本县数据库”。</p>")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addStretch(1)

    def nextId(self) -> int:
        return -1


# -- the wizard ------------------------------------------------------------------------------------

class SetupWizard(QWizard):
    """After ``exec()`` returns Accepted: ``location`` is the database to open, ``username`` the
    administrator just created (None for the demo)."""

    def __init__(self, parent: QWidget | None = None, *, location: str | None = None,
                 admin_only: bool = False, database: Database | None = None, start_with_demo: bool = False):
        super().__init__(parent)
        self.admin_only = admin_only
        self.database = database
        self.location: str | None = location
        self.username: str | None = None
        self.is_demo = False
        self._finished_work = False
        self._busy = False
        self.setWindowTitle("卫健台账 — 建立管理员账号" if admin_only else "卫健台账 — 首次设置")
        self.setWindowIcon(QIcon(str(resource_path("icons", "app.svg"))))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap,
                       QIcon(str(resource_path("icons", "app.svg"))).pixmap(48, 48))
        for button, text in ((QWizard.WizardButton.BackButton, "< 上一步(&B)"),
                             (QWizard.WizardButton.NextButton, "下一步(&N) >"),
                             (QWizard.WizardButton.FinishButton, "完成(&F)"),
                             (QWizard.WizardButton.CancelButton, "取消"),
                             (QWizard.WizardButton.HelpButton, "帮助")):
            self.setButtonText(button, text)
        self.helpRequested.connect(self.show_help)
        self.resize(860, 620)

        # Only pages the wizard owns are created: a page never added would be a parentless widget.
        self.account_page = AccountPage()
        if admin_only:
            self.account_page.setSubTitle("此数据库已经建好，但还没有任何用户。请设置第一个管理员账号。")
            self.setPage(ACCOUNT_PAGE, self.account_page)
            self.setStartId(ACCOUNT_PAGE)
        else:
            self.mode_page = ModePage()
            self.county_page = CountyPage()
            self.location_page = LocationPage(location or str(default_database_path()))
            self.demo_page = DemoPage()
            self.setPage(MODE_PAGE, self.mode_page)
            self.setPage(COUNTY_PAGE, self.county_page)
            self.setPage(ACCOUNT_PAGE, self.account_page)
            self.setPage(LOCATION_PAGE, self.location_page)
            self.setPage(DEMO_PAGE, self.demo_page)
            if start_with_demo:
                self.mode_page.demo_radio.setChecked(True)

    def show_help(self) -> None:
        from gui.dialogs.help_window import open_help
        open_help("getting-started.html#first-start", self)

    # -- finishing -------------------------------------------------------------------------------
    def validateCurrentPage(self) -> bool:
        # QWizard.done() validates the page again; after the work the new file would fail the
        # "no existing database here" check.
        return True if self._finished_work else super().validateCurrentPage()

    def accept(self) -> None:
        if self._finished_work:
            super().accept()
            return
        self._set_busy(True)
        if self.admin_only:
            work, label = self._create_admin_work(), "正在建立管理员账号……"
        elif self.mode_page.demo_radio.isChecked():
            work, label = self._demo_work(), "正在生成演示数据……"
        else:
            work, label = self._setup_work(), "正在建立数据库……"
        run_op(self, work, on_done=self._work_done, on_failed=self._work_failed, label=label)

    def reject(self) -> None:
        if not self._busy:  # Esc while the database is being built would leave half a set-up
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                       QWizard.WizardButton.CancelButton):
            self.button(button).setEnabled(not busy)

    def _create_admin_work(self):
        db = self.database
        page = self.account_page
        username, name, password = page.username(), page.display_name(), page.password()

        def work(_progress):
            with db.session(Actor.system()) as session:
                users.create_user(session, None, username, name, Role.ADMIN, password)
            return username
        return work

    def _demo_work(self):
        location = str(demo_database_path())

        def work(_progress):
            db = Database.connect(location, create=True)
            try:
                create_demo(db, Actor.system(), recipients=DEMO_RECIPIENTS)
            finally:
                db.dispose()
            return None
        return work

    def _setup_work(self):
        county = self.county_page
        code, name, township = county.county_code(), county.county_name(), county.township_code()
        page = self.account_page
        username, display_name, password = page.username(), page.display_name(), page.password()
        location = self.location_page.location()

        def work(progress):
            progress(0, 3, "正在连接数据库……")
            db = Database.connect(location, create=True)
            try:
                if is_initialised(db):
                    with db.session() as session:
                        if users.count_users(session) > 0:
                            raise DataError(f"{describe_url(db.url)} 已经建好并且有用户，不能再次设置。"
                                            "请取消向导，改用“打开数据库文件”。")
                progress(1, 3, "正在建立数据库并填入乡镇……")
                initialise(db, Actor.system(), code, name, township)
                progress(2, 3, "正在建立管理员账号……")
                with db.session(Actor.system()) as session:
                    users.create_user(session, None, username, display_name, Role.ADMIN, password)
            finally:
                db.dispose()
            return username
        return work

    def _work_done(self, username: str | None) -> None:
        self._finished_work = True
        self._set_busy(False)
        self.username = username
        if self.admin_only:
            self.location = self.location or (self.database.url if self.database else None)
        elif self.mode_page.demo_radio.isChecked():
            self.location, self.is_demo = str(demo_database_path()), True
        else:
            self.location = self.location_page.location()
        if not self.admin_only and self.location:
            try:
                save_database_location(self.location)
            except OSError:
                pass  # the database works; it just will not be remembered
        self.accept()

    def _work_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        show_error(self, error, "设置未完成")
