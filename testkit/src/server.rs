//! The one place that spawns, polls, queries and reaps a metrics-store child process.
//! `Prometheus` and `VictoriaMetrics` are thin wrappers around [`Server`].

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How a store is launched; built by the wrappers.
pub(crate) struct Launch<'a> {
    /// "prometheus", "victoria-metrics": used in messages and the temp dir prefix.
    pub name: &'static str,
    pub bin: PathBuf,
    /// Files to write into the temp dir before starting (name, contents).
    pub files: Vec<(&'a str, String)>,
    /// Arguments, given the temp dir and the chosen port.
    pub args: &'a dyn Fn(&Path, u16) -> Vec<String>,
    /// Readiness path answering 200 when ready (`/-/ready`, `/health`).
    pub ready_path: &'static str,
    pub ready_timeout: Duration,
}

pub(crate) struct Server {
    pub name: &'static str,
    pub url: String,
    child: Mutex<Option<Child>>,
    pid: u32,
    log_path: PathBuf,
    agent: ureq::Agent,
    /// The command line, to start the same store again on the same port and data.
    bin: PathBuf,
    args: Vec<String>,
    ready_path: &'static str,
    // Declared last: dropped after Drop::drop has killed and reaped the child.
    dir: TempDir,
}

/// Resolves a store binary: env override (must exist), then the Debian path, then $PATH.
/// Error: "<name> not found: <hint>".
pub(crate) fn find_binary(env_var: &str, default: &str, hint: &str) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{} not found: {hint}", file_name(default)))
        };
    }
    let default = Path::new(default);
    if default.is_file() {
        return Ok(default.to_path_buf());
    }
    let name = file_name(&default.to_string_lossy());
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(&name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!("{name} not found: {hint}"))
}

fn file_name(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Holds the pid of the process that owns a temp dir, so that dirs left behind by a
/// killed test process (Drop never ran) are removed by the next start.
const OWNER_FILE: &str = "owner.pid";

fn sweep_stale_dirs(name: &str) {
    let prefix = format!("calicoscope-{name}-");
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        let Ok(owner) = std::fs::read_to_string(path.join(OWNER_FILE)) else {
            continue;
        };
        let Ok(pid) = owner.trim().parse::<libc::pid_t>() else {
            continue;
        };
        // SAFETY: signal 0 only probes for existence.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `cmd` from a thread that lives as long as the process. PR_SET_PDEATHSIG fires when
/// the *thread* that forked the child exits, and test threads are short-lived: a store
/// shared between tests (e.g. in a `OnceLock`) must not die with the first test's thread.
fn spawn_from_keeper_thread(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let sender = SPAWNER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<SpawnRequest>();
            thread::Builder::new()
                .name("testkit-spawner".into())
                .spawn(move || {
                    for (mut cmd, reply) in rx {
                        let _ = reply.send(cmd.spawn());
                    }
                })
                .expect("start testkit spawner thread");
            Mutex::new(tx)
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (reply_tx, reply_rx) = mpsc::channel();
    sender
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("testkit spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("testkit spawner thread is gone"))?
}

fn with_death_signal(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None) // loopback only, whatever HTTP_PROXY says
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Server {
    /// Starts the store and waits until `ready_path` answers 200. Retries with another port
    /// if the child dies early because the port got taken between `free_port()` and bind.
    pub fn start(launch: &Launch<'_>) -> Result<Server, String> {
        const ATTEMPTS: usize = 3;
        let mut last_err = String::new();
        for attempt in 1..=ATTEMPTS {
            match Self::start_once(launch) {
                Ok(s) => return Ok(s),
                Err((msg, port_clash)) => {
                    last_err = msg;
                    if !port_clash || attempt == ATTEMPTS {
                        break;
                    }
                }
            }
        }
        Err(last_err)
    }

    /// Err((message, whether the failure looks like a port clash)).
    fn start_once(launch: &Launch<'_>) -> Result<Server, (String, bool)> {
        let fail = |m: String| (m, false);
        sweep_stale_dirs(launch.name);
        let dir = tempfile::Builder::new()
            .prefix(&format!("calicoscope-{}-", launch.name))
            .tempdir()
            .map_err(|e| fail(format!("{}: create temp dir: {e}", launch.name)))?;
        let _ = std::fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string());
        for (name, contents) in &launch.files {
            std::fs::write(dir.path().join(name), contents)
                .map_err(|e| fail(format!("{}: write {name}: {e}", launch.name)))?;
        }
        let log_path = dir.path().join("server.log");
        let log = File::create(&log_path).map_err(|e| {
            fail(format!(
                "{}: create {}: {e}",
                launch.name,
                log_path.display()
            ))
        })?;
        let log2 = log
            .try_clone()
            .map_err(|e| fail(format!("{}: log file: {e}", launch.name)))?;

        let port = crate::free_port();
        let args = (launch.args)(dir.path(), port);
        let mut cmd = Command::new(&launch.bin);
        cmd.args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2));
        with_death_signal(&mut cmd);
        let child = spawn_from_keeper_thread(cmd).map_err(|e| {
            fail(format!(
                "{}: spawn {}: {e}",
                launch.name,
                launch.bin.display()
            ))
        })?;

        let server = Server {
            name: launch.name,
            url: format!("http://127.0.0.1:{port}"),
            pid: child.id(),
            child: Mutex::new(Some(child)),
            log_path,
            agent: new_agent(),
            bin: launch.bin.clone(),
            args,
            ready_path: launch.ready_path,
            dir,
        };
        match server.wait_ready(launch.ready_path, launch.ready_timeout) {
            Ok(()) => Ok(server),
            Err(msg) => {
                let tail = server.log_tail(30);
                let clash = tail.contains("address already in use");
                // A flag error is printed before a long usage text: name it too.
                let first_error = server
                    .first_error_line()
                    .filter(|l| !tail.contains(l.as_str()))
                    .map(|l| format!("\nfirst error in the log: {l}"))
                    .unwrap_or_default();
                drop(server); // kill + reap + remove the temp dir
                Err((
                    format!(
                        "{msg}{first_error}\n--- last 30 lines of the {} log ---\n{tail}",
                        launch.name
                    ),
                    clash,
                ))
            }
        }
    }

    fn wait_ready(&self, path: &str, timeout: Duration) -> Result<(), String> {
        let url = format!("{}{path}", self.url);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "{} exited early ({status}) before {url} was ready",
                    self.name
                ));
            }
            let last = match self
                .agent
                .get(&url)
                .config()
                .timeout_global(Some(Duration::from_secs(2)))
                .build()
                .call()
            {
                Ok(resp) if resp.status() == 200 => return Ok(()),
                Ok(resp) => format!("HTTP {}", resp.status()),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(format!(
                    "{} not ready after {:?} at {url} (last: {last})",
                    self.name, timeout
                ));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `n` lines of the child's stdout/stderr.
    pub fn log_tail(&self, n: usize) -> String {
        let Ok(f) = File::open(&self.log_path) else {
            return String::from("(no log)");
        };
        let lines: Vec<String> = BufReader::new(f).lines().map_while(Result::ok).collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    fn first_error_line(&self) -> Option<String> {
        let f = File::open(&self.log_path).ok()?;
        BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("rror") || l.contains("level=fatal") || l.contains("FATAL"))
    }

    /// GET `path` with query parameters; returns (status, body).
    pub fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<(u16, String), String> {
        let url = format!("{}{path}", self.url);
        let mut req = self.agent.get(&url);
        for (k, v) in params {
            req = req.query(*k, *v);
        }
        let mut resp = req
            .call()
            .map_err(|e| format!("{}: GET {url}: {e}", self.name))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{}: GET {url}: read body: {e}", self.name))?;
        Ok((status, body))
    }

    /// Instant query through the Prometheus HTTP API; returns `data.result`.
    pub fn query(&self, promql: &str) -> Result<Value, String> {
        let (status, body) = self.get("/api/v1/query", &[("query", promql)])?;
        let json: Value = serde_json::from_str(&body).map_err(|e| {
            format!(
                "{}: query {promql:?}: HTTP {status}, not JSON ({e}): {body}",
                self.name
            )
        })?;
        if json["status"] != "success" {
            return Err(format!(
                "{}: query {promql:?}: HTTP {status}, status {}: {} {}",
                self.name, json["status"], json["errorType"], json["error"]
            ));
        }
        match json.pointer("/data/result") {
            Some(result) => Ok(result.clone()),
            None => Err(format!(
                "{}: query {promql:?}: no data.result in {body}",
                self.name
            )),
        }
    }

    /// Polls `promql` until it returns at least `min_series` series.
    pub fn wait_for(
        &self,
        promql: &str,
        min_series: usize,
        timeout: Duration,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let last = loop {
            let last = match self.query(promql) {
                Ok(result) => {
                    let n = result.as_array().map_or(0, Vec::len);
                    if n >= min_series {
                        return Ok(());
                    }
                    format!("{n} series: {result}")
                }
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                break last;
            }
            if let Some(status) = self.exited() {
                return Err(format!(
                    "{} exited ({status}) while waiting for {promql:?}\n--- last 30 lines of the log ---\n{}",
                    self.name,
                    self.log_tail(30)
                ));
            }
            thread::sleep(Duration::from_millis(250));
        };
        Err(format!(
            "{}: {promql:?} did not reach {min_series} series within {timeout:?} (last: {last})\n--- last 30 lines of the log ---\n{}",
            self.name,
            self.log_tail(30)
        ))
    }

    /// The child's exit status if it has exited (and was reaped here), else None.
    fn exited(&self) -> Option<std::process::ExitStatus> {
        let mut guard = self.child.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// Kills the store and starts it again with the same command line: same port, same data
    /// directory (what an operator's restart does). Waits until it is ready.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill();
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log_path)
            .map_err(|e| format!("{}: reopen log: {e}", self.name))?;
        let log2 = log
            .try_clone()
            .map_err(|e| format!("{}: log file: {e}", self.name))?;
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2));
        with_death_signal(&mut cmd);
        let child =
            spawn_from_keeper_thread(cmd).map_err(|e| format!("{}: respawn: {e}", self.name))?;
        self.pid = child.id();
        *self.child.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(child);
        self.wait_ready(self.ready_path, Duration::from_secs(60))
    }

    /// Kills (SIGKILL) and reaps the child. Idempotent.
    pub fn kill(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
