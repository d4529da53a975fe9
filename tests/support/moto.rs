//! A real moto server (PyPI `moto[server]`) on a free loopback port, with
//! SigV4 signature checking on (`INITIAL_NO_AUTH_ACTION_COUNT`): the first
//! three calls create an admin through the IAM API unauthenticated, the rest
//! of the setup is signed by boto3 with that admin's keys. Stopped on drop.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peers;

/// Keys of one IAM principal (fake, made by moto).
#[derive(Debug, Clone)]
pub struct Keys {
    /// Access key ID.
    pub id: String,
    /// Secret access key.
    pub secret: String,
    /// Session token, for temporary keys.
    pub token: Option<String>,
}

/// A running moto server and the principals made in it.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// A user allowed ecr:* and sts:*.
    pub reader: Keys,
    /// A user with no policy at all.
    pub nobody: Keys,
    /// Temporary keys of `reader` (STS AssumeRole into `role_arn`).
    pub session: Keys,
    /// A role ECR readers may assume with a web identity.
    pub role_arn: String,
}

const SETUP: &str = r#"
import json, sys, boto3
url = sys.argv[1]
kw = dict(region_name="us-east-1", endpoint_url=url)
boot = dict(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="boot", **kw)
iam = boto3.client("iam", **boot)
iam.create_user(UserName="admin")
iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
k = iam.create_access_key(UserName="admin")["AccessKey"]
admin = dict(aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"], **kw)
iam = boto3.client("iam", **admin)
out = {}
for user, actions in (("reader", ["ecr:*", "sts:*"]), ("nobody", None)):
    iam.create_user(UserName=user)
    if actions:
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    out[user] = {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}
role = iam.create_role(RoleName="ecr-reader", AssumeRolePolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "oidc", "AWS": "*"},
     "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]}))["Role"]
iam.put_role_policy(RoleName="ecr-reader", PolicyName="p", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
# Temporary keys with a session token: moto recognises assumed-role keys
# when it checks signatures (its GetSessionToken keys it does not).
sts = boto3.client("sts", aws_access_key_id=out["reader"]["id"], aws_secret_access_key=out["reader"]["secret"], **kw)
c = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="test")["Credentials"]
out["session"] = {"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}
out["role_arn"] = role["Arn"]
print(json.dumps(out))
"#;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// True when moto's own API answers on the port.
fn is_moto(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.")
        && buf.contains(" 200 ")
        && buf.to_ascii_lowercase().contains("werkzeug")
}

fn keys(v: &serde_json::Value) -> Keys {
    Keys {
        id: v["id"].as_str().unwrap_or_default().to_owned(),
        secret: v["secret"].as_str().unwrap_or_default().to_owned(),
        token: v["token"].as_str().map(str::to_owned),
    }
}

impl Moto {
    /// Starts moto with signature checking and makes the principals; `None`
    /// after a loud skip when moto is not installed (a failure under CI=true).
    pub fn start() -> Option<Moto> {
        Self::start_with("3")
    }

    /// Starts moto without authentication: moto then also refuses unsigned
    /// calls such as AssumeRoleWithWebIdentity, which real STS accepts, so
    /// the web identity test needs this variant.
    pub fn start_without_auth() -> Option<Moto> {
        Self::start_with("inf")
    }

    fn start_with(no_auth_actions: &str) -> Option<Moto> {
        let server = peers::require(
            "moto_server",
            "pip install 'moto[server]' (tests/peers/install.sh)",
        )?;
        // A port picked free can be taken by a parallel test before moto binds
        // it: make sure it is moto that answers, else try another port.
        let (child, port) = (0..5)
            .find_map(|_| {
                let port = free_port();
                let mut child = Command::new(&server)
                    .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                    .env("INITIAL_NO_AUTH_ACTION_COUNT", no_auth_actions)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start moto_server");
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline {
                    if child.try_wait().ok().flatten().is_some() {
                        return None;
                    }
                    if is_moto(port) {
                        return Some((child, port));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                let _ = child.kill();
                let _ = child.wait();
                None
            })
            .expect("moto_server did not start");
        let url = format!("http://127.0.0.1:{port}");
        let mut moto = Moto {
            child,
            url: url.clone(),
            reader: Keys {
                id: String::new(),
                secret: String::new(),
                token: None,
            },
            nobody: Keys {
                id: String::new(),
                secret: String::new(),
                token: None,
            },
            session: Keys {
                id: String::new(),
                secret: String::new(),
                token: None,
            },
            role_arn: String::new(),
        };
        // The python of moto's own environment has boto3 (moto depends on it).
        let python = std::fs::canonicalize(&server)
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("python3")))
            .filter(|p| p.exists())
            .unwrap_or_else(|| "python3".into());
        let setup = Command::new(python)
            .args(["-c", SETUP, &url])
            .output()
            .expect("run the boto3 setup");
        // The setup prints keys: never echo its stdout, only its stderr.
        assert!(
            setup.status.success(),
            "moto setup failed: {}",
            String::from_utf8_lossy(&setup.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&setup.stdout).expect("setup JSON");
        moto.reader = keys(&v["reader"]);
        moto.nobody = keys(&v["nobody"]);
        moto.session = keys(&v["session"]);
        moto.role_arn = v["role_arn"].as_str().unwrap_or_default().to_owned();
        Some(moto)
    }
}

impl Moto {
    /// The ECR repositories moto holds, read from its own state API
    /// (`/moto-api/data.json`, unsigned): what a CreateRepository really made.
    /// Only the `ecr` part is kept — the rest holds the IAM keys.
    pub fn ecr_repositories(&self) -> Vec<serde_json::Value> {
        use std::io::{Read, Write};
        let port = self.url.rsplit(':').next().expect("a port");
        let mut s = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect to moto");
        s.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .expect("ask moto");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read moto's state");
        let text = String::from_utf8_lossy(&buf);
        let (_, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let v: serde_json::Value = serde_json::from_str(body).expect("moto state JSON");
        v["ecr"]["Repository"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
