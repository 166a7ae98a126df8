//! A private D-Bus session bus for the app under test, with `dbus-monitor` recording every
//! `org.freedesktop.Notifications` call on it: how a test sees the system notifications the app
//! raises (a desktop under Xvfb has no notification server; the call still travels the bus).
//! The bus also has its own OS keyring (`gnome-keyring-daemon`, Secret Service, unlocked, kept
//! in the bus's folder), where the app keeps its token.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct SessionBus {
    _dir: tempfile::TempDir,
    daemon: Child,
    monitor: Child,
    keyring: Child,
    log: PathBuf,
    address: String,
}

impl SessionBus {
    pub async fn start() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let address = format!("unix:path={}", dir.path().join("bus").display());
        // A bus of our own with no service directories: nothing on this machine (portals,
        // notification servers) is started by it, so every run sees the same bus.
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig><type>session</type><listen>{address}</listen>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
                 <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"
            ),
        )?;
        let mut daemon = Command::new("dbus-daemon")
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .arg(format!("--config-file={}", config.display()))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("dbus-daemon (apt package dbus-daemon)")?;
        let stdout = daemon.stdout.take().context("dbus-daemon stdout")?;
        let mut first = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut first),
        )
        .await
        .context("dbus-daemon did not start")??;
        if first.trim().is_empty() {
            bail!("dbus-daemon printed no address");
        }
        let log = dir.path().join("notifications.log");
        let monitor = Command::new("dbus-monitor")
            .args(["--address", &address])
            .arg("type='method_call',interface='org.freedesktop.Notifications',member='Notify'")
            .stdout(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .context("dbus-monitor (apt package dbus-bin)")?;
        // dbus-monitor first prints its own NameAcquired signal: then it listens.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while std::fs::read_to_string(&log).unwrap_or_default().is_empty() {
            if tokio::time::Instant::now() > deadline {
                bail!("dbus-monitor did not start");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The keyring: its "login" collection (the default one apps write to) is made and
        // unlocked with the password given on its standard input.
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("gnome-keyring-daemon (apt package gnome-keyring)")?;
        if let Some(mut stdin) = keyring.stdin.take() {
            use tokio::io::AsyncWriteExt;
            stdin.write_all(b"hues-test-keyring").await?;
        }
        let names = || {
            std::process::Command::new("dbus-send")
                .args(["--print-reply", "--dest=org.freedesktop.DBus"])
                .arg(format!("--bus={address}"))
                .args(["/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let default_collection = || {
            std::process::Command::new("dbus-send")
                .args(["--print-reply", "--dest=org.freedesktop.secrets"])
                .arg(format!("--bus={address}"))
                .args([
                    "/org/freedesktop/secrets",
                    "org.freedesktop.Secret.Service.ReadAlias",
                    "string:default",
                ])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("collection/login"))
                .unwrap_or(false)
        };
        while !names().contains("org.freedesktop.secrets") || !default_collection() {
            if tokio::time::Instant::now() > deadline {
                bail!("gnome-keyring-daemon did not take the Secret Service name");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            _dir: dir,
            daemon,
            monitor,
            keyring,
            log,
            address,
        })
    }

    /// For `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// Everything recorded so far.
    pub fn recorded(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many `Notify` calls carried `text` (as a title or body string).
    pub fn count(&self, text: &str) -> usize {
        let quoted = format!("string \"{text}\"");
        self.recorded().matches(&quoted).count()
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.monitor.start_kill();
        let _ = self.keyring.start_kill();
        let _ = self.daemon.start_kill();
    }
}
