//! E-mail through the outbox to a real SMTP server on loopback: a message written while the
//! server is down waits, is delivered once it is back, and is never sent twice; on both
//! databases.

use std::time::Duration;

use riuso::jobs::Queue;
use riuso::mail::{self, Delivery, MailError, Mailer, Message, SmtpConfig, SmtpTls};
use sea_orm::{EntityTrait as _, TransactionTrait as _};

use crate::support::db::{BACKENDS, TestDb};
use crate::support::smtp::SmtpSink;

fn config(addr: std::net::SocketAddr) -> SmtpConfig {
    SmtpConfig {
        host: addr.ip().to_string(),
        port: addr.port(),
        tls: SmtpTls::None,
        credentials: None,
        from: "riuso <noreply@riuso.example.org>".to_owned(),
        timeout: Duration::from_secs(5),
    }
}

fn message() -> Message {
    Message {
        to: "ufficio.protocollo@comune.example.it".to_owned(),
        subject: "Conferma l'indirizzo / Confirm your address".to_owned(),
        text: "Apri il collegamento:\n.\nhttps://riuso.example.org/confirm/abc\n".to_owned(),
        html: Some(
            "<p>Apri il <a href=\"https://riuso.example.org/confirm/abc\">collegamento</a></p>"
                .to_owned(),
        ),
    }
}

#[tokio::test]
async fn a_message_waits_out_an_smtp_outage_and_is_delivered_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        // The message and its delivery job are written in the caller's transaction.
        let txn = db.conn.begin().await.unwrap();
        let id = mail::enqueue(&txn, &message()).await.unwrap();
        txn.commit().await.unwrap();
        let queue = Queue::new(db.conn.clone(), "test", Duration::from_secs(60))
            .with_backoff(Duration::from_millis(1));
        let job = queue
            .claim()
            .await
            .unwrap()
            .expect("the mail job is queued");
        assert_eq!(job.kind, mail::JOB_KIND);
        assert_eq!(mail::job_outbox_id(&job.payload).unwrap(), id);

        // The server is down: the delivery fails, the message stays with the reason.
        let addr = SmtpSink::start().await.stop();
        let mailer = Mailer::new(&config(addr)).unwrap();
        let err = mailer.deliver(&db.conn, id).await.unwrap_err();
        assert!(matches!(err, MailError::Smtp(_)), "{backend:?}: {err}");
        queue.fail(&job, &err.to_string()).await.unwrap();
        let row = mail::outbox::Entity::find_by_id(id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_none());
        assert!(row.last_error.unwrap().contains("SMTP"));

        // It is back: the retried job delivers the message, once.
        let sink = SmtpSink::start_on(addr).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let job = queue
            .claim()
            .await
            .unwrap()
            .expect("the failed job is retried");
        assert_eq!(
            mailer
                .deliver(&db.conn, mail::job_outbox_id(&job.payload).unwrap())
                .await
                .unwrap(),
            Delivery::Sent
        );
        queue.complete(&job).await.unwrap();
        assert_eq!(
            mailer.deliver(&db.conn, id).await.unwrap(),
            Delivery::AlreadySent
        );
        let got = sink.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(got.len(), 1, "{backend:?}");
        assert_eq!(got[0].from, "noreply@riuso.example.org");
        assert_eq!(got[0].to, ["ufficio.protocollo@comune.example.it"]);
        assert!(got[0].data.contains("Subject: "), "{}", got[0].data);
        assert!(
            got[0].data.contains("multipart/alternative"),
            "{}",
            got[0].data
        );
        let row = mail::outbox::Entity::find_by_id(id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 2);
        assert!(row.sent_at.is_some() && row.last_error.is_none());
        assert_eq!(
            mailer.deliver(&db.conn, id + 1000).await.unwrap(),
            Delivery::Missing
        );
        db.close().await;
    }
}

#[tokio::test]
async fn a_bad_address_is_refused_before_anything_is_written() {
    let db = TestDb::new(crate::support::db::Backend::Sqlite).await;
    let mut bad = message();
    bad.to = "not an address".to_owned();
    let err = mail::enqueue(&db.conn, &bad).await.unwrap_err();
    assert!(matches!(err, MailError::Build(_)), "{err}");
    assert!(
        mail::outbox::Entity::find()
            .all(&db.conn)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        Mailer::new(&SmtpConfig {
            from: "nobody".to_owned(),
            ..config("127.0.0.1:25".parse().unwrap())
        })
        .is_err()
    );
    db.close().await;
}

#[tokio::test]
async fn the_worker_delivers_queued_mail_and_requeues_what_waited_for_a_server() {
    use riuso::crawl;
    use riuso::crawl::http::{self, Polite};
    let db = TestDb::new(crate::support::db::Backend::Sqlite).await;
    let cache = tempfile::tempdir().unwrap();
    let worker = |mailer: Option<Mailer>| {
        let options = crawl::Options {
            git_cache: cache.path().to_path_buf(),
            ..crawl::Options::default()
        };
        let http = Polite::new(http::Options::default()).unwrap();
        let env = riuso::worker::Environment::new(db.conn.clone(), http)
            .with_crawl(options)
            .with_mailer(mailer);
        crate::support::crawl::test_worker_in(env, "mail-test")
    };
    // No server configured: the job finishes and the message waits in the outbox.
    let id = mail::enqueue(&db.conn, &message()).await.unwrap();
    assert!(worker(None).step().await.unwrap());
    let row = mail::outbox::Entity::find_by_id(id)
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.sent_at.is_none() && row.attempts == 0);
    assert!(!worker(None).step().await.unwrap(), "no job is left");

    // A worker with a server queues it again and delivers it.
    let sink = SmtpSink::start().await;
    assert_eq!(mail::requeue_unsent(&db.conn).await.unwrap(), 1);
    assert_eq!(
        mail::requeue_unsent(&db.conn).await.unwrap(),
        0,
        "deduplicated"
    );
    let with_server = worker(Some(Mailer::new(&config(sink.addr)).unwrap()));
    assert!(with_server.step().await.unwrap());
    assert_eq!(sink.wait_for(1, Duration::from_secs(5)).await.len(), 1);
    let row = mail::outbox::Entity::find_by_id(id)
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.sent_at.is_some());
    assert_eq!(
        mail::requeue_unsent(&db.conn).await.unwrap(),
        0,
        "nothing left to send"
    );
    db.close().await;
}
