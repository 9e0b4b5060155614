# shellcheck shell=bash
# A private, headless Secret Service (D-Bus session bus + gnome-keyring-daemon) for tests and CI.
#
# Source this file, then call the functions:
#   source .ci/keyring.sh
#   keyring_start            # private bus + keyring, unlocked with a random password; exports
#                            # DBUS_SESSION_BUS_ADDRESS and waits until org.freedesktop.secrets is owned
#   keyring_lock             # locks the default collection (for tests of the locked-keyring error)
#   keyring_has_service      # succeeds while org.freedesktop.secrets has an owner on the bus
#   keyring_restart          # kills gnome-keyring-daemon (SIGKILL) and starts it again on the same bus and
#                            # keyring files, unlocked; prints and exports the new KEYRING_DAEMON_PID
#   keyring_stop             # kills both daemons by pid and removes the private directory
#
# It installs nothing. Packages it needs (Debian/Ubuntu):
#   apt-get install -y --no-install-recommends gnome-keyring libsecret-1-0 libsecret-tools dbus
# The keyring files live in a private temporary XDG_DATA_HOME, so a developer's own login keyring is
# never touched. After keyring_start these variables describe the instance:
#   DBUS_SESSION_BUS_ADDRESS, KEYRING_DIR, KEYRING_DBUS_PID, KEYRING_DAEMON_PID

keyring_start() {
    local cmd
    for cmd in dbus-daemon dbus-send gnome-keyring-daemon; do
        if ! command -v "$cmd" >/dev/null 2>&1; then
            echo "keyring.sh: '$cmd' is not installed; install: gnome-keyring libsecret-1-0 libsecret-tools dbus" >&2
            return 1
        fi
    done

    KEYRING_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mcpauth-keyring.XXXXXX") || return 1
    chmod 700 "$KEYRING_DIR"
    mkdir -p -m 700 "$KEYRING_DIR/data" "$KEYRING_DIR/runtime"

    # A bus of our own with no service directories: nothing is ever D-Bus-activated on it (the stock
    # session config would start another gnome-keyring-daemon on the user's real keyring files).
    cat >"$KEYRING_DIR/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$KEYRING_DIR/runtime</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

    # dbus-daemon prints its address, then its pid, one per line.
    local bus
    bus=$(dbus-daemon --config-file="$KEYRING_DIR/bus.conf" --fork --print-address=1 --print-pid=1) || {
        echo "keyring.sh: dbus-daemon did not start" >&2
        return 1
    }
    DBUS_SESSION_BUS_ADDRESS=$(printf '%s\n' "$bus" | sed -n 1p)
    KEYRING_DBUS_PID=$(printf '%s\n' "$bus" | sed -n 2p)
    export DBUS_SESSION_BUS_ADDRESS KEYRING_DIR KEYRING_DBUS_PID

    # A random password nobody needs to know: the keyring is created and unlocked with it. It is kept in the
    # private directory (mode 700) only so that keyring_restart can unlock the same keyring files again.
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEYRING_DIR/password")
    _keyring_daemon_start || {
        keyring_stop
        return 1
    }
}

# Starts gnome-keyring-daemon on $KEYRING_DIR's bus and files, unlocked, and waits until it owns the service.
_keyring_daemon_start() {
    XDG_DATA_HOME="$KEYRING_DIR/data" XDG_RUNTIME_DIR="$KEYRING_DIR/runtime" \
        gnome-keyring-daemon --foreground --unlock --components=secrets \
        <"$KEYRING_DIR/password" >>"$KEYRING_DIR/gnome-keyring.log" 2>&1 &
    KEYRING_DAEMON_PID=$!
    disown "$KEYRING_DAEMON_PID" 2>/dev/null || true
    export KEYRING_DAEMON_PID

    local i
    for i in $(seq 1 100); do
        if keyring_has_service; then
            return 0
        fi
        if ! kill -0 "$KEYRING_DAEMON_PID" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done

    echo "keyring.sh: gnome-keyring-daemon did not take org.freedesktop.secrets; its log:" >&2
    cat "$KEYRING_DIR/gnome-keyring.log" >&2 2>/dev/null
    return 1
}

keyring_restart() {
    if [ -n "${KEYRING_DAEMON_PID:-}" ]; then
        kill -9 "$KEYRING_DAEMON_PID" 2>/dev/null || true
    fi
    local i
    for i in $(seq 1 100); do
        keyring_has_service || break
        sleep 0.05
    done
    _keyring_daemon_start || return 1
    echo "$KEYRING_DAEMON_PID"
}

keyring_lock() {
    dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null || return 1
    dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets/aliases/default \
        org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked | grep -q 'boolean true'
}

# Succeeds when org.freedesktop.secrets has an owner on the session bus.
keyring_has_service() {
    dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

keyring_stop() {
    if [ -n "${KEYRING_DAEMON_PID:-}" ]; then
        kill "$KEYRING_DAEMON_PID" 2>/dev/null || true
    fi
    if [ -n "${KEYRING_DBUS_PID:-}" ]; then
        kill "$KEYRING_DBUS_PID" 2>/dev/null || true
    fi
    if [ -n "${KEYRING_DIR:-}" ] && [ -d "$KEYRING_DIR" ]; then
        rm -rf "$KEYRING_DIR"
    fi
    unset KEYRING_DAEMON_PID KEYRING_DBUS_PID KEYRING_DIR DBUS_SESSION_BUS_ADDRESS
}
