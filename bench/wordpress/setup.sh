#!/usr/bin/env bash
# The WordPress peer for the benchmarks, from Debian's packages: Apache 2 with mod_php,
# MariaDB and the `wordpress` package, on 127.0.0.1 only (Apache on WP_PORT, MariaDB on its
# socket and 127.0.0.1:3306). Installs the site, lets anonymous visitors post comments through
# the REST API (no moderation, no flood or duplicate checks, like Parley's benchmark
# settings), and seeds two posts with 50 and 500 comments (one top-level in ten, nine replies
# under each, as Parley's seeding does).
#   bash bench/wordpress/setup.sh          install, configure, start, seed
#   bash bench/wordpress/setup.sh start    start Apache and MariaDB again
#   bash bench/wordpress/setup.sh stop     stop them
# Needs root (apt-get). Writes bench/wordpress/.state (post ids) for wordpress.bench.ts.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${WP_PORT:-8088}"
HOST="127.0.0.1"
DB=wordpress_bench
DB_USER=wordpress_bench
DB_PASSWORD=wordpress-bench-password
CONTENT=/var/lib/wordpress/wp-content

start() {
  if ! mysqladmin ping >/dev/null 2>&1; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    (mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
    for _ in $(seq 1 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  apache2ctl -k start 2>/dev/null || apache2ctl -k restart
  for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://$HOST:$PORT/" && break; sleep 0.5; done
}

stop() {
  apache2ctl -k stop 2>/dev/null || true
  mysqladmin shutdown 2>/dev/null || true
}

case "${1:-setup}" in
  start) start; exit 0 ;;
  stop) stop; exit 0 ;;
  setup) ;;
  *) echo "usage: $0 [setup|start|stop]" >&2; exit 64 ;;
esac

# Keep the packages' install scripts from starting Apache on 0.0.0.0:80.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  apache2 libapache2-mod-php php-mysql mariadb-server wordpress wordpress-theme-twentytwentyone \
  curl >/dev/null

# Apache: loopback only, one site serving /usr/share/wordpress at the root.
echo "Listen $HOST:$PORT" >/etc/apache2/ports.conf
cat >/etc/apache2/sites-available/wordpress-bench.conf <<CONF
<VirtualHost $HOST:$PORT>
  ServerName $HOST
  DocumentRoot /usr/share/wordpress
  Alias /wp-content $CONTENT
  <Directory /usr/share/wordpress>
    Options FollowSymLinks
    AllowOverride Limit Options FileInfo
    DirectoryIndex index.php
    Require all granted
  </Directory>
  <Directory $CONTENT>
    Options FollowSymLinks
    Require all granted
  </Directory>
  ErrorLog \${APACHE_LOG_DIR}/wordpress-bench-error.log
  LogLevel warn
</VirtualHost>
CONF
a2dissite 000-default >/dev/null 2>&1 || true
a2ensite wordpress-bench >/dev/null
a2enmod rewrite >/dev/null

start
mysql <<SQL
CREATE DATABASE IF NOT EXISTS $DB;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON $DB.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL

# Debian's wp-config.php reads /etc/wordpress/config-<host>.php.
cat >"/etc/wordpress/config-$HOST.php" <<PHP
<?php
define('DB_NAME', '$DB');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost');
define('WP_CONTENT_DIR', '$CONTENT');
define('WP_HOME', 'http://$HOST:$PORT');
define('WP_SITEURL', 'http://$HOST:$PORT');
define('DISABLE_WP_CRON', true);
PHP

# The classic default theme (PHP templates, threaded comments), from its Debian package.
ln -sfn /usr/share/wordpress/wp-content/themes/twentytwentyone "$CONTENT/themes/twentytwentyone"

# Anonymous REST comments, approved at once, no flood or duplicate checks.
mkdir -p "$CONTENT/mu-plugins"
cp "$HERE/bench-comments.php" "$CONTENT/mu-plugins/bench-comments.php"

php "$HERE/seed.php" "$HOST" "$PORT" >"$HERE/.state"
cat "$HERE/.state"
