"""The test city, built through the CLI (the bootstrap administrators) and the API (units,
people, platforms, users of every role). Two units: A (测试甲街道) whose people hold every unit
role, and B (测试乙局) with a liaison of its own. Every id the tests need is kept here."""

import os

from harness import PASSWORD, PASSWORD2, Client, Failure

UNIT_ROLES = ["author", "proofreader", "secrecy_reviewer", "review_responsible", "liaison",
              "principal_head", "supervising_leader"]
CITY_ROLES = ["office_operator", "office_admin", "secrecy_office", "egov_centre"]
ADMIN_ROLES = ["system_admin", "security_admin", "audit_admin"]
ALL_ROLES = UNIT_ROLES + CITY_ROLES + ADMIN_ROLES

# Chinese posts for the people of unit A who hold the unit roles.
POSTS = {
    "author": "信息发布员", "proofreader": "校对员", "secrecy_reviewer": "保密审查员",
    "review_responsible": "审核负责人", "liaison": "联络员", "principal_head": "主任",
    "supervising_leader": "副主任",
}
NAMES = {
    "author": "甲发布", "proofreader": "甲校对", "secrecy_reviewer": "甲保密", "review_responsible": "甲审核",
    "liaison": "甲联络", "principal_head": "甲主任", "supervising_leader": "甲分管",
}


class City:
    def __init__(self, server, check):
        self.server = server
        self.check = check
        self.passwords = {}
        self.clients = {}     # username -> signed-in Client
        self.user_ids = {}    # username -> id
        self.role_user = {}   # role -> username used for it in the matrix
        self.pw_file = os.path.join(server.tmp, "pw")
        self.person = {}      # key -> person id
        self.unit_a = self.unit_b = None
        self.platform_a = self.platform_b = None

    # ---- users ----
    def cli_user(self, username, display, role, person_id=None):
        with open(self.pw_file, "w") as f:
            f.write(PASSWORD + "\n")
        args = ["user", "add", "--db", self.server.db, "--username", username, "--display-name", display,
                "--role", role, "--password-file", self.pw_file]
        if person_id:
            args += ["--person-id", str(person_id)]
        rc, out, err = self.server.cli(*args)
        if rc != 0:
            raise Failure("pubguard user add %s exited %d: %s%s" % (username, rc, out, err))
        self.passwords[username] = PASSWORD

    def client(self, username):
        """A signed-in client for username (logged in once, password changed if required)."""
        c = self.clients.get(username)
        if c is not None:
            return c
        c = self.fresh_login(username)
        self.clients[username] = c
        return c

    def fresh_login(self, username):
        c = Client(self.server, username)
        r = c.login(username, self.passwords[username])
        c.must(r, 200, "login %s" % username)
        if c.user and c.user.get("id"):
            self.user_ids[username] = c.user["id"]
        if c.user and c.user.get("must_change_password"):
            newpw = PASSWORD2 if self.passwords[username] != PASSWORD2 else PASSWORD
            r = c.post("/auth/password", {"old_password": self.passwords[username], "new_password": newpw})
            c.must(r, 204, "change the initial password of %s" % username)
            self.passwords[username] = newpw
            c = Client(self.server, username)
            c.must(c.login(username, newpw), 200, "login %s after the password change" % username)
        return c

    def create_user(self, username, display, roles, person_id=None):
        """POST /users as the system admin; roles it may not give are assigned by the security admin."""
        sysadmin = self.client("sysadmin")
        body = {"username": username, "display_name": display, "person_id": person_id,
                "password": PASSWORD, "roles": roles}
        r = sysadmin.post("/users", body)
        if r.status == 403:
            body["roles"] = []
            r = sysadmin.post("/users", body)
            j = sysadmin.must(r, 201, "create user %s" % username)
            r = self.client("secadmin").put("/users/%d/roles" % j["id"], {"roles": roles})
            self.client("secadmin").must(r, 200, "assign %s to %s" % (roles, username))
        else:
            j = sysadmin.must(r, 201, "create user %s" % username)
        self.user_ids[username] = j["id"]
        self.passwords[username] = PASSWORD
        return j

    # ---- registry ----
    def new_unit(self, name, kind="town", parent_id=None, who="office1"):
        body = {"name": name, "kind": kind, "party_body": "中共" + name + "委员会", "parent_id": parent_id}
        c = self.client(who)
        return c.must(c.post("/units", body), 201, "create unit %s" % name)

    def new_person(self, unit_id, name, staff_type="formal", post="干部", who="office1"):
        body = {"unit_id": unit_id, "name": name, "post": post, "staff_type": staff_type,
                "phone": "0858-1234567"}
        c = self.client(who)
        return c.must(c.post("/people", body), 201, "create person %s" % name)

    def new_platform(self, unit_id, name, ptype, account, manager=None, who="office1"):
        body = {"unit_id": unit_id, "name": name, "type": ptype, "url_or_account": account,
                "site_code": None, "certified": True, "entry_point": None, "manager_person_id": manager}
        if ptype == "website":
            body["site_code"] = "5202810099"
            body["entry_point"] = account
        c = self.client(who)
        return c.must(c.post("/platforms", body), 201, "create platform %s" % name)

    def build(self):
        for username, display, role in [("sysadmin", "系统管理员", "system_admin"),
                                        ("secadmin", "安全管理员", "security_admin"),
                                        ("auditadmin", "审计管理员", "audit_admin"),
                                        ("office1", "网信办管理员", "office_admin")]:
            self.cli_user(username, display, role)
            self.role_user[role] = username
        self.unit_a = self.new_unit("测试甲街道", "town")["id"]
        self.unit_b = self.new_unit("测试乙局", "department")["id"]
        for role in UNIT_ROLES:
            self.person[role] = self.new_person(self.unit_a, NAMES[role], post=POSTS[role])["id"]
        self.person["successor"] = self.new_person(self.unit_a, "甲接任", post="干部")["id"]
        self.person["temporary"] = self.new_person(self.unit_a, "甲临聘", "temporary", "临聘人员")["id"]
        self.person["welfare"] = self.new_person(self.unit_a, "甲公益", "public_welfare", "公益性岗位")["id"]
        self.person["b_liaison"] = self.new_person(self.unit_b, "乙联络", post="联络员")["id"]
        self.person["b_leader"] = self.new_person(self.unit_b, "乙分管", post="副局长")["id"]
        self.person["b_responsible"] = self.new_person(self.unit_b, "乙审核", post="科长")["id"]
        self.platform_a = self.new_platform(self.unit_a, "测试甲街道门户网站", "website",
                                            "https://jia.example.gov.cn/", self.person["liaison"])["id"]
        self.platform_b = self.new_platform(self.unit_b, "测试乙局微信公众号", "wechat", "ceshi_yiju",
                                            self.person["b_liaison"])["id"]
        for role in UNIT_ROLES:
            username = "a_" + role
            self.create_user(username, NAMES[role], [role], self.person[role])
            self.role_user[role] = username
        self.create_user("b_liaison", "乙联络", ["liaison"], self.person["b_liaison"])
        self.create_user("a_successor", "甲接任", ["author"], self.person["successor"])
        for role, username, display in [("office_operator", "op1", "网信办工作人员"),
                                        ("secrecy_office", "secoff1", "保密办"),
                                        ("egov_centre", "egov1", "电子政务服务中心")]:
            self.create_user(username, display, [role])
            self.role_user[role] = username
        for role in ALL_ROLES:
            self.client(self.role_user[role])
