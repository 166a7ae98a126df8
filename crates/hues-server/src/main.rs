//! `hues-server`: flags, logging, serve. Everything else is in the library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use hues_server::limits::Limits;
use hues_server::{AppState, Config, auth};

#[derive(Parser)]
#[command(
    version,
    about = "hues reference server (API /api/v1, SQLite embedded)"
)]
struct Args {
    /// Where the SQLite file lives (default: the user's data dir, e.g. ~/.local/share/hues-server).
    #[arg(long, env = "HUES_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, env = "HUES_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Seed the Huế demo data.
    #[arg(long)]
    demo: bool,
    /// Serve map tiles from this MBTiles file at /tiles/{z}/{x}/{y}.png.
    #[arg(long, env = "HUES_TILES")]
    tiles: Option<PathBuf>,
    /// With --demo only: a shared bearer token for the operator routes (without it a random one
    /// is made and printed). A real city's machines use their staff member's own API token,
    /// made in the console (Tokens).
    #[arg(long, env = "HUES_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Behind a reverse proxy: take the client's address from the right-most X-Forwarded-For
    /// entry (the one the proxy appends). Without such a proxy, clients could pick their address.
    #[arg(long, env = "HUES_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// New devices one network address (IPv4, or IPv6 /64) may register per hour.
    #[arg(long, env = "HUES_REGISTRATIONS_PER_HOUR", default_value_t = Limits::default().registrations_per_hour,
          value_parser = clap::value_parser!(i64).range(1..))]
    registrations_per_hour: i64,
    /// Failed dossier look-ups one network address may make per hour.
    #[arg(long, env = "HUES_LOOKUP_FAILURES_PER_HOUR", default_value_t = Limits::default().lookup_failures_per_hour,
          value_parser = clap::value_parser!(i64).range(1..))]
    lookup_failures_per_hour: i64,
    /// Failed dossier look-ups the whole server takes per hour; past it only addresses without a
    /// failure may look up, past twice it nobody (for the rest of the hour).
    #[arg(long, env = "HUES_LOOKUP_FAILURES_GLOBAL_PER_HOUR", default_value_t = Limits::default().lookup_failures_global_per_hour,
          value_parser = clap::value_parser!(i64).range(1..))]
    lookup_failures_global_per_hour: i64,
    /// Megabytes of photos one device may have stored on the server.
    #[arg(long, env = "HUES_PHOTO_QUOTA_MB", default_value_t = Limits::default().photo_quota_bytes / (1024 * 1024),
          value_parser = clap::value_parser!(i64).range(1..))]
    photo_quota_mb: i64,
    /// The city's hotline, shown in the app beside the emergency numbers (e.g. "1900 1075");
    /// with --demo and none given, Hue-S's.
    #[arg(long, env = "HUES_HOTLINE")]
    hotline: Option<String>,
    /// The console's browser libraries (htmx, Leaflet), as `./x` lays them out in `dist/vendor`.
    #[arg(long, env = "HUES_VENDOR_DIR")]
    vendor_dir: Option<PathBuf>,
    /// Zalo Official Account: the app id, the OA secret key (signs the webhook), the OA access
    /// token (sends replies) and the API's base URL. All three secrets, or none.
    #[arg(long, env = "HUES_ZALO_APP_ID")]
    zalo_app_id: Option<String>,
    #[arg(long, env = "HUES_ZALO_OA_SECRET", hide_env_values = true)]
    zalo_oa_secret: Option<String>,
    #[arg(long, env = "HUES_ZALO_ACCESS_TOKEN", hide_env_values = true)]
    zalo_access_token: Option<String>,
    #[arg(long, env = "HUES_ZALO_API", default_value = "https://openapi.zalo.me")]
    zalo_api: String,
    /// Facebook Messenger: the app secret (signs the webhook), the webhook's verify token, the
    /// page access token (sends replies) and the Graph API's base URL.
    #[arg(long, env = "HUES_MESSENGER_APP_SECRET", hide_env_values = true)]
    messenger_app_secret: Option<String>,
    #[arg(long, env = "HUES_MESSENGER_VERIFY_TOKEN", hide_env_values = true)]
    messenger_verify_token: Option<String>,
    #[arg(long, env = "HUES_MESSENGER_PAGE_TOKEN", hide_env_values = true)]
    messenger_page_token: Option<String>,
    #[arg(
        long,
        env = "HUES_MESSENGER_API",
        default_value = "https://graph.facebook.com"
    )]
    messenger_api: String,
    /// The SMS gateway that sends citizens' sign-in codes (`POST` JSON `{to, text}` with a
    /// bearer key). Without it, codes are printed in the log (for --demo).
    #[arg(long, env = "HUES_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    #[arg(long, env = "HUES_SMS_GATEWAY_KEY", hide_env_values = true)]
    sms_gateway_key: Option<String>,
    /// An OpenID Connect provider citizens may sign in with (VNeID): its issuer URL. Needs
    /// --oidc-client-id; the app receives the answer on its loopback address (RFC 8252).
    #[arg(long, env = "HUES_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    #[arg(long, env = "HUES_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    #[arg(long, env = "HUES_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// Days between "delete my account" and the erasure.
    #[arg(long, env = "HUES_DELETION_GRACE_DAYS", default_value_t = hues_wire::account::DELETION_GRACE_DAYS)]
    deletion_grace_days: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hues_server=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let data_dir = match args.data_dir {
        Some(d) => d,
        None => dirs::data_dir()
            .context("no user data directory; pass --data-dir")?
            .join("hues-server"),
    };
    let operator_token = match (args.operator_token, args.demo) {
        (Some(t), true) if !t.trim().is_empty() => Some(t),
        (_, true) => {
            let t = auth::new_token();
            eprintln!("operator token (this demo run only): {t}");
            Some(t)
        }
        (Some(_), false) => anyhow::bail!(
            "--operator-token is for --demo only; machines use a staff member's own API token \
             (console → Tokens)"
        ),
        (None, false) => None,
    };
    let zalo = match (
        args.zalo_app_id,
        args.zalo_oa_secret,
        args.zalo_access_token,
    ) {
        (Some(app_id), Some(oa_secret), Some(access_token)) => {
            Some(hues_server::channels::ZaloSettings {
                app_id,
                oa_secret,
                access_token,
                api_base: args.zalo_api,
            })
        }
        (None, None, None) => None,
        _ => anyhow::bail!("Zalo needs --zalo-app-id, --zalo-oa-secret and --zalo-access-token"),
    };
    let messenger = match (
        args.messenger_app_secret,
        args.messenger_verify_token,
        args.messenger_page_token,
    ) {
        (Some(app_secret), Some(verify_token), Some(page_token)) => {
            Some(hues_server::channels::MessengerSettings {
                app_secret,
                verify_token,
                page_token,
                api_base: args.messenger_api,
            })
        }
        (None, None, None) => None,
        _ => anyhow::bail!(
            "Messenger needs --messenger-app-secret, --messenger-verify-token and \
             --messenger-page-token"
        ),
    };
    let sms = match (args.sms_gateway_url, args.sms_gateway_key) {
        (Some(url), Some(key)) => hues_server::accounts::Sms::Gateway { url, key },
        (None, None) if args.demo => hues_server::accounts::Sms::Demo(Default::default()),
        (None, None) => {
            tracing::warn!("no SMS gateway (--sms-gateway-url): sign-in codes go to the log only");
            hues_server::accounts::Sms::Log
        }
        _ => anyhow::bail!("the SMS gateway needs both --sms-gateway-url and --sms-gateway-key"),
    };
    let oidc = match (args.oidc_issuer, args.oidc_client_id) {
        (Some(issuer), Some(client_id)) => Some(hues_server::accounts::OidcProvider {
            issuer,
            client_id,
            client_secret: args.oidc_client_secret,
        }),
        (None, None) => None,
        _ => anyhow::bail!("an identity provider needs --oidc-issuer and --oidc-client-id"),
    };
    if args.deletion_grace_days < 0 {
        anyhow::bail!("--deletion-grace-days cannot be negative");
    }
    let config = Config {
        data_dir,
        operator_token,
        demo: args.demo,
        tiles: args.tiles,
        limits: Limits {
            registrations_per_hour: args.registrations_per_hour,
            lookup_failures_per_hour: args.lookup_failures_per_hour,
            lookup_failures_global_per_hour: args.lookup_failures_global_per_hour,
            photo_quota_bytes: args.photo_quota_mb.saturating_mul(1024 * 1024),
        },
        trust_forwarded_for: args.trust_forwarded_for,
        hotline: args.hotline,
        vendor_dir: args.vendor_dir,
        channels: hues_server::channels::Settings { zalo, messenger },
        accounts: hues_server::accounts::Settings {
            sms,
            oidc,
            grace: chrono::Duration::days(args.deletion_grace_days),
        },
    };
    let state = AppState::open(&config)
        .with_context(|| format!("opening data in {}", config.data_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    let local = listener.local_addr()?;
    // Tests and scripts read this line to learn the port.
    println!("hues-server listening on http://{local}");
    if config.demo {
        // The demo's staff, for trying the console (never a real city's accounts).
        println!(
            "city console: http://{local}/console/ (demo accounts, password {})",
            hues_server::demo::DEMO_STAFF_PASSWORD
        );
        for (username, name, role, unit, secret) in hues_server::demo::DEMO_STAFF {
            let second = if secret.is_empty() {
                String::new()
            } else {
                format!(", TOTP secret {secret}")
            };
            println!(
                "  {username:<16} {} @ {unit}: {name}{second}",
                role.as_str()
            );
        }
    }
    tracing::info!(data_dir = %config.data_dir.display(), demo = config.demo, "serving");
    tokio::select! {
        res = hues_server::serve(listener, state) => res.context("serving")?,
        _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
    }
    Ok(())
}
