//! Where the broker is (`mqtt://[user:password@]host[:port]`) and which topics carry readings
//! (a filter with one `+` level: the device's id).

use crate::domain::ids::DeviceId;
use rumqttc::v5::MqttOptions;
use std::time::Duration;

/// A broker's address and login.
#[derive(Clone, PartialEq)]
pub struct Broker {
    pub host: String,
    pub port: u16,
    login: Option<(String, String)>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl Broker {
    /// Reads `mqtt://[user[:password]@]host[:port]` (also `tcp://`; port 1883 by default). The
    /// URL itself is never repeated in an error: it may hold a password.
    pub fn parse(url: &str) -> anyhow::Result<Broker> {
        let bad = || {
            anyhow::anyhow!("the MQTT URL must look like mqtt://host:1883 (TLS is not supported)")
        };
        let rest = url
            .trim()
            .strip_prefix("mqtt://")
            .or_else(|| url.trim().strip_prefix("tcp://"))
            .ok_or_else(bad)?
            .trim_end_matches('/');
        let (login, address) = match rest.rsplit_once('@') {
            Some((login, address)) => {
                let (user, password) = login.split_once(':').unwrap_or((login, ""));
                (Some((user.to_string(), password.to_string())), address)
            }
            None => (None, rest),
        };
        let (host, port) = if address.starts_with('[') {
            // An IPv6 address stays in brackets, as socket addresses are written.
            match address.rsplit_once("]:") {
                Some((h, p)) => (format!("{h}]"), Some(p)),
                None => (address.to_string(), None),
            }
        } else {
            match address.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (address.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)?,
            None => 1883,
        };
        if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
            return Err(bad());
        }
        Ok(Broker { host, port, login })
    }

    /// The address for logs (no login).
    pub fn label(&self) -> String {
        format!("mqtt://{}:{}", self.host, self.port)
    }

    /// Connection options for a client of this broker.
    pub fn options(&self, client_id: &str) -> MqttOptions {
        let mut o = MqttOptions::new(client_id, self.host.clone(), self.port);
        o.set_keep_alive(Duration::from_secs(30));
        if let Some((user, password)) = &self.login {
            o.set_credentials(user.clone(), password.clone());
        }
        o
    }
}

/// A topic filter with exactly one `+` level, the device's id, e.g.
/// `safecampus/devices/+/events`; optionally shared between instances
/// (`$share/<group>/safecampus/devices/+/events`).
#[derive(Debug, Clone)]
pub struct Filter {
    subscription: String,
    levels: Vec<String>,
    id_level: usize,
}

impl Filter {
    pub fn parse(filter: &str) -> anyhow::Result<Filter> {
        let bad = || {
            anyhow::anyhow!(
                "the MQTT topic must have one `+` level for the device id and no `#`, like safecampus/devices/+/events"
            )
        };
        let bare = match filter.strip_prefix("$share/") {
            Some(rest) => rest.split_once('/').map(|(_, f)| f).ok_or_else(bad)?,
            None => filter,
        };
        let levels: Vec<String> = bare.split('/').map(str::to_string).collect();
        let plus: Vec<usize> = (0..levels.len()).filter(|i| levels[*i] == "+").collect();
        let wild = |l: &String| l.contains('#') || (l.contains('+') && l != "+");
        if plus.len() != 1 || levels.iter().any(wild) || bare.is_empty() {
            return Err(bad());
        }
        Ok(Filter {
            subscription: filter.to_string(),
            levels,
            id_level: plus[0],
        })
    }

    /// What the server subscribes to.
    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// The device a topic names: none when the topic is not one of the filter's or its id
    /// level is not a plain positive number.
    pub fn device(&self, topic: &str) -> Option<DeviceId> {
        let parts: Vec<&str> = topic.split('/').collect();
        if parts.len() != self.levels.len() {
            return None;
        }
        let same = parts
            .iter()
            .zip(&self.levels)
            .enumerate()
            .all(|(i, (p, l))| i == self.id_level || p == l);
        let id = parts[self.id_level];
        if !same || id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        id.parse::<i64>().ok().filter(|n| *n > 0).map(DeviceId)
    }

    /// The topic a device publishes to.
    pub fn topic_of(&self, device: DeviceId) -> String {
        let mut levels = self.levels.clone();
        levels[self.id_level] = device.0.to_string();
        levels.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls() {
        let b = Broker::parse("mqtt://127.0.0.1:1883").expect("url");
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 1883));
        let b = Broker::parse("mqtt://broker.local").expect("url");
        assert_eq!((b.host.as_str(), b.port), ("broker.local", 1883));
        let b = Broker::parse("tcp://sc:s3cret@[::1]:1884/").expect("url");
        assert_eq!((b.host.as_str(), b.port), ("[::1]", 1884));
        assert_eq!(b.login, Some(("sc".into(), "s3cret".into())));
        assert!(!format!("{b:?}").contains("s3cret"));
        for bad in [
            "",
            "127.0.0.1:1883",
            "mqtts://h:8883",
            "mqtt://",
            "mqtt://h:0",
            "mqtt://h:x",
        ] {
            assert!(Broker::parse(bad).is_err(), "{bad}");
        }
        let e = Broker::parse("ws://u:topsecret@h")
            .expect_err("scheme")
            .to_string();
        assert!(!e.contains("topsecret"));
    }

    #[test]
    fn topics_name_their_device() {
        let f = Filter::parse("safecampus/devices/+/events").expect("filter");
        assert_eq!(f.device("safecampus/devices/42/events"), Some(DeviceId(42)));
        assert_eq!(f.topic_of(DeviceId(7)), "safecampus/devices/7/events");
        for other in [
            "safecampus/devices/0/events",
            "safecampus/devices/-1/events",
            "safecampus/devices/+1/events",
            "safecampus/devices/x/events",
            "safecampus/devices//events",
            "safecampus/devices/42/events/more",
            "safecampus/device/42/events",
            "safecampus/devices/99999999999999999999/events",
        ] {
            assert_eq!(f.device(other), None, "{other}");
        }
        let shared = Filter::parse("$share/sc/safecampus/devices/+/events").expect("shared");
        assert_eq!(
            shared.subscription(),
            "$share/sc/safecampus/devices/+/events"
        );
        assert_eq!(
            shared.device("safecampus/devices/3/events"),
            Some(DeviceId(3))
        );
        for bad in ["a/#", "a/b", "+/+", "a/x+/b", "$share/g", ""] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }
}
