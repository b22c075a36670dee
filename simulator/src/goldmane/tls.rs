//! Certificates for the simulated Goldmane's mTLS, made at start-up with rcgen and written
//! as PEM files: a CA, the server's certificate (the names Calico's has, plus localhost and
//! 127.0.0.1), a client certificate from the same CA, and an unrelated CA with a client
//! certificate of its own, which the server must refuse.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use tonic::transport::{Certificate as TonicCert, Identity, ServerTlsConfig};

/// The DNS names on Calico's Goldmane certificate.
pub const SERVER_NAMES: [&str; 3] = [
    "goldmane",
    "goldmane.calico-system",
    "goldmane.calico-system.svc",
];

/// Where the PEM files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertPaths {
    pub dir: PathBuf,
    /// The CA the server's and the client's certificates chain to.
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// What a client (the backend) presents.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// An unrelated CA and a client certificate from it: refused by the server.
    pub other_ca: PathBuf,
    pub other_client_cert: PathBuf,
    pub other_client_key: PathBuf,
}

impl CertPaths {
    fn in_dir(dir: &Path) -> CertPaths {
        let f = |name: &str| dir.join(name);
        CertPaths {
            dir: dir.to_path_buf(),
            ca: f("ca.crt"),
            server_cert: f("server.crt"),
            server_key: f("server.key"),
            client_cert: f("client.crt"),
            client_key: f("client.key"),
            other_ca: f("other-ca.crt"),
            other_client_cert: f("other-client.crt"),
            other_client_key: f("other-client.key"),
        }
    }

    /// The server's TLS settings: its identity, and client certificates required and
    /// verified against the CA (no name checks), as Goldmane's RequireAndVerifyClientCert.
    pub fn server_tls(&self) -> std::io::Result<ServerTlsConfig> {
        let read = std::fs::read;
        Ok(ServerTlsConfig::new()
            .identity(Identity::from_pem(
                read(&self.server_cert)?,
                read(&self.server_key)?,
            ))
            .client_ca_root(TonicCert::from_pem(read(&self.ca)?))
            .client_auth_optional(false))
    }
}

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

fn ca(name: &str) -> Result<Ca, rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = p.self_signed(&key)?;
    Ok(Ca { cert, key })
}

/// A leaf signed by `ca`: its PEM certificate and key.
fn leaf(
    ca: &Ca,
    name: &str,
    sans: Vec<SanType>,
    usage: ExtendedKeyUsagePurpose,
) -> Result<(String, String), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.distinguished_name.push(DnType::CommonName, name);
    p.subject_alt_names = sans;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![usage];
    let cert = p.signed_by(&key, &ca.cert, &ca.key)?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn server_sans() -> Result<Vec<SanType>, rcgen::Error> {
    let mut sans = SERVER_NAMES
        .iter()
        .chain(&["localhost"])
        .map(|n| Ok(SanType::DnsName((*n).try_into()?)))
        .collect::<Result<Vec<_>, rcgen::Error>>()?;
    sans.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    Ok(sans)
}

/// Makes fresh certificates and writes them into `dir` (created if needed; keys 0600).
pub fn generate(dir: &Path) -> Result<CertPaths, String> {
    let paths = CertPaths::in_dir(dir);
    let made = make().map_err(|e| format!("generating certificates: {e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let files = [
        (&paths.ca, &made[0]),
        (&paths.server_cert, &made[1]),
        (&paths.server_key, &made[2]),
        (&paths.client_cert, &made[3]),
        (&paths.client_key, &made[4]),
        (&paths.other_ca, &made[5]),
        (&paths.other_client_cert, &made[6]),
        (&paths.other_client_key, &made[7]),
    ];
    for (path, pem) in files {
        write(path, pem).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(paths)
}

/// The eight PEM texts, in [`generate`]'s file order.
fn make() -> Result<[String; 8], rcgen::Error> {
    let ours = ca("Calicoscope simulated Goldmane CA")?;
    let (server, server_key) = leaf(
        &ours,
        "goldmane",
        server_sans()?,
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client, client_key) = leaf(
        &ours,
        "calicoscope",
        vec![],
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;
    let other = ca("Some other CA")?;
    let (stranger, stranger_key) = leaf(
        &other,
        "calicoscope",
        vec![],
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;
    Ok([
        ours.cert.pem(),
        server,
        server_key,
        client,
        client_key,
        other.cert.pem(),
        stranger,
        stranger_key,
    ])
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    if path.extension().is_some_and(|e| e == "key") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
